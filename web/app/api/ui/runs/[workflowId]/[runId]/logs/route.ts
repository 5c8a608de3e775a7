/**
 * The run page's live log feed (session or token, viewer role): one page of a run's lines after/before an id,
 * filtered by level, text and task. The page polls it about once a second while the run is running.
 *
 * GET /api/ui/runs/{workflowId}/{runId}/logs?afterId=&beforeId=&order=asc|desc&minLevel=&search=&task=&limit=
 * → 200 { lines, searched, beforeId, afterId, more }   400 { error } on a bad query   503 { error } when the store does not answer
 *
 * A filtered read (search, minLevel, task) searches a bounded part of the run only (Store.readLogPage: about 120 ms
 * of it), from its cursor in its order, and says how far it got; the viewer asks again from there:
 * - `lines`: the matches found, oldest first (at most `limit`, default and at most 1,000);
 * - `searched`: how many of the run's lines were searched; null when the trigram index answered (a rare needle: the
 *   whole range was searched, the lines without it were not counted);
 * - `beforeId` (order=desc only): ask with this beforeId for older lines; null once the run's first line was searched;
 * - `afterId`: every line up to this id was searched: the live tail asks with this afterId (not the last match's id,
 *   which would search the same lines again);
 * - `more`: lines in the read's direction were left unsearched (or the page was full): ask again from the cursor.
 * An unfiltered read returns `limit` lines, the same fields saying where the next page starts.
 */
import { authorizeRequest } from '@/lib/auth/guard';
import { apiError } from '@/lib/auth/api-error';
import { parseLogFeedQuery, readLogFeed } from '@/lib/log-feed';
import { getEnv } from '@/lib/env';
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
    const page = await readLogFeed(await getStore(), path.value.runId, query.value, getEnv().logSearch);
    return Response.json(page, { headers: { 'cache-control': 'no-store' } });
  });
}
