// GET /api/runs/{workflowId}[?runId=]: a run's status, parameters, result or failure, and tasks (viewer).
import { apiError } from '@/lib/auth/api-error';
import { authorizeRequest } from '@/lib/auth/guard';
import { getSluice } from '@/lib/sluice.server';
import { answer, parseQuery, runPageUrl } from '../../_lib/respond';
import { getRunQuery } from '../../_lib/schemas';
import { withoutStacks } from '../../_lib/without-stacks';

export const dynamic = 'force-dynamic';

export async function GET(req: Request, { params }: { params: Promise<{ workflowId: string }> }) {
  const caller = await authorizeRequest(req, 'viewer');
  if (caller instanceof Response) return caller;
  const q = parseQuery(req, getRunQuery);
  if (!q.ok) return q.response;
  const { workflowId } = await params;
  return answer('read a run', async () => {
    const run = await (await getSluice()).getRun(workflowId, q.value.runId);
    if (!run) return apiError('not_found', `There is no run ${workflowId}${q.value.runId ? ` (${q.value.runId})` : ''}. Check the id; runs older than the retention period are gone.`);
    return Response.json({ ...withoutStacks(run), url: runPageUrl(req, run) });
  });
}
