/**
 * The run page's live log feed (session or token, viewer role): one page of a run's lines after/before an id,
 * filtered by level, text and task. The page polls it about once a second while the run is running.
 *
 * GET /api/ui/runs/{workflowId}/{runId}/logs?afterId=&beforeId=&order=asc|desc&minLevel=&search=&task=&limit=
 * → 200 { lines: LogLine[] }   400 { error } on a bad query   503 { error } when the store does not answer
 */
import { authorizeRequest } from '@/lib/auth/guard';
import { apiError } from '@/lib/auth/api-error';
import { parseLogFeedQuery, readLogFeed } from '@/lib/log-feed';
import { getStore } from '@/lib/sluice.server';
import { answer, parsePath } from '../../../../../_lib/respond';
import { uiRunPath } from '../../../../../_lib/schemas';

export async function GET(req: Request, { params }: { params: Promise<{ workflowId: string; runId: string }> }) {
  return answer("read the run's logs", async () => {
    const caller = await authorizeRequest(req, 'viewer');
    if (caller instanceof Response) return caller;
    const path = parsePath(await params, uiRunPath);
    if (!path.ok) return path.response;
    const query = parseLogFeedQuery(new URL(req.url).searchParams);
    if (!query.ok) return apiError('bad_request', query.error);
    // From the store alone: the logs stay readable while Temporal is away.
    const lines = await readLogFeed(await getStore(), path.value.runId, query.value);
    return Response.json({ lines }, { headers: { 'cache-control': 'no-store' } });
  });
}
