/** /runs/{workflowId}: the latest run with that workflow id (links from the API and from people may omit the run). */
import { notFound, redirect } from 'next/navigation';
import { requireUser } from '@/lib/auth/guard';
import { pageParam, runHref } from '@/lib/links';
import { getSluice } from '@/lib/sluice.server';

export default async function LatestRunPage({ params }: { params: Promise<{ workflowId: string }> }) {
  await requireUser('viewer');
  const workflowId = pageParam((await params).workflowId);
  // The latest run's ids are all a redirect needs: no history is read.
  const run = await (await getSluice()).getRunSummary(workflowId);
  if (!run) notFound();
  redirect(runHref(run));
}
