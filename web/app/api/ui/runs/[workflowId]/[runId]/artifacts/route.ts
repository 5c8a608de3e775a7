/**
 * The run page's live artifacts (session or token, viewer role): what the run published after an id, in order.
 * The page polls it while the run is running, as it polls the logs.
 *
 * GET /api/ui/runs/{workflowId}/{runId}/artifacts?afterId=
 * → 200 { artifacts: StoredArtifact[] }   400 { error } on a bad query   503 { error } when the store does not answer
 */
import { authorizeRequest } from '@/lib/auth/guard';
import { getStore } from '@/lib/sluice.server';
import { answer, parsePath, parseQuery } from '../../../../../_lib/respond';
import { uiArtifactsQuery, uiRunPath } from '../../../../../_lib/schemas';

export const dynamic = 'force-dynamic';

export async function GET(req: Request, { params }: { params: Promise<{ workflowId: string; runId: string }> }) {
  return answer("read the run's artifacts", async () => {
    const caller = await authorizeRequest(req, 'viewer');
    if (caller instanceof Response) return caller;
    const path = parsePath(await params, uiRunPath);
    if (!path.ok) return path.response;
    const query = parseQuery(req, uiArtifactsQuery);
    if (!query.ok) return query.response;
    // From the store alone: artifacts stay readable while Temporal is away.
    const artifacts = await (await getStore()).readArtifacts(path.value.runId, { afterId: query.value.afterId });
    const mine = artifacts.filter((a) => a.workflowId === path.value.workflowId);
    return Response.json({ artifacts: mine }, { headers: { 'cache-control': 'no-store' } });
  });
}
