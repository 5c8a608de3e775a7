// GET /api/runs/{workflowId}[?runId=]: a run's status, parameters, result or failure, and tasks (viewer).
import { apiError } from '@/lib/auth/api-error';
import { authorizeRequest } from '@/lib/auth/guard';
import { getSluice } from '@/lib/sluice.server';
import { answer, parsePath, parseQuery, runPageUrl } from '../../_lib/respond';
import { getRunQuery, runPath } from '../../_lib/schemas';
import { withoutStacks } from '../../_lib/without-stacks';
import { otherMethods } from '../../_lib/methods';

export const dynamic = 'force-dynamic';
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods('/api/runs/{workflowId}');

export async function GET(req: Request, { params }: { params: Promise<{ workflowId: string }> }) {
  return answer('read a run', async () => {
    const caller = await authorizeRequest(req, 'viewer');
    if (caller instanceof Response) return caller;
    const q = parseQuery(req, getRunQuery);
    if (!q.ok) return q.response;
    const path = parsePath(await params, runPath);
    if (!path.ok) return path.response;
    const { workflowId } = path.value;
    const run = await (await getSluice()).getRun(workflowId, q.value.runId);
    if (!run) return apiError('not_found', `There is no run ${workflowId}${q.value.runId ? ` (${q.value.runId})` : ''}. Check the id; runs older than the retention period are gone.`);
    return Response.json({ ...withoutStacks(run), url: runPageUrl(req, run) });
  });
}
