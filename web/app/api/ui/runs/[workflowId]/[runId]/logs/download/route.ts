/**
 * Downloads every log line of a run (matching the viewer's filters) as a file: text by default, NDJSON with
 * ?format=ndjson. Streamed page by page, so a run with 100,000 lines starts downloading at once.
 *
 * GET /api/ui/runs/{workflowId}/{runId}/logs/download?format=text|ndjson&minLevel=&search=&task=
 */
import { authorizeRequest } from '@/lib/auth/guard';
import { apiError } from '@/lib/auth/api-error';
import { logDownloadStream, parseLogFeedQuery } from '@/lib/log-feed';
import { getSluice } from '@/lib/sluice.server';
import { parsePath } from '../../../../../../_lib/respond';
import { uiRunPath } from '../../../../../../_lib/schemas';

export async function GET(req: Request, { params }: { params: Promise<{ workflowId: string; runId: string }> }) {
  const caller = await authorizeRequest(req, 'viewer');
  if (caller instanceof Response) return caller;
  const path = parsePath(await params, uiRunPath);
  if (!path.ok) return path.response;
  const { workflowId, runId } = path.value;
  const search = new URL(req.url).searchParams;
  const format = search.get('format') ?? 'text';
  if (format !== 'text' && format !== 'ndjson') return apiError('bad_request', `format must be text or ndjson, not “${format.slice(0, 40)}”.`);
  search.delete('format');
  const query = parseLogFeedQuery(search);
  if (!query.ok) return apiError('bad_request', query.error);
  const wid = workflowId;
  const rid = runId;
  const file = `${wid}-${rid.slice(0, 8)}`.replace(/[^A-Za-z0-9._-]+/g, '_') + (format === 'ndjson' ? '.ndjson' : '.log');
  return new Response(logDownloadStream(await getSluice(), rid, query.value, format), {
    headers: {
      'content-type': format === 'ndjson' ? 'application/x-ndjson; charset=utf-8' : 'text/plain; charset=utf-8',
      'content-disposition': `attachment; filename="${file}"`,
      'cache-control': 'no-store',
    },
  });
}
