/**
 * The run page's live task progress (session or token, viewer role): what the listed tasks of a run last reported
 * with `progress()`, read from the store their workers write it to with their log lines. The page polls it four
 * times a second while tasks run.
 *
 * GET /api/ui/runs/{workflowId}/{runId}/progress?activityIds=1,2
 * → 200 { progress: { [activityId]: { done, total, message?, reportedAt } } }   400 { error } on a bad query
 */
import { authorizeRequest } from '@/lib/auth/guard';
import { getSluice } from '@/lib/sluice.server';
import { parsePath, parseQuery } from '../../../../../_lib/respond';
import { uiProgressQuery, uiRunPath } from '../../../../../_lib/schemas';

export const dynamic = 'force-dynamic';

export async function GET(req: Request, { params }: { params: Promise<{ workflowId: string; runId: string }> }) {
  const caller = await authorizeRequest(req, 'viewer');
  if (caller instanceof Response) return caller;
  const path = parsePath(await params, uiRunPath);
  if (!path.ok) return path.response;
  const query = parseQuery(req, uiProgressQuery);
  if (!query.ok) return query.response;
  const progress = await (await getSluice()).readProgress(path.value.runId, query.value.activityIds);
  return Response.json({ progress }, { headers: { 'cache-control': 'no-store' } });
}
