/**
 * Downloads every log line of a run (matching the viewer's filters) as a file: text by default, NDJSON with
 * ?format=ndjson. Streamed page by page, so a run with 100,000 lines starts downloading at once. The first page is
 * read before answering (a store that does not answer is a 503, not an empty file); a page that fails later
 * aborts the transfer, so the browser reports a failed download instead of keeping a truncated file.
 *
 * GET /api/ui/runs/{workflowId}/{runId}/logs/download?format=text|ndjson&minLevel=&search=&task=
 */
import { authorizeRequest } from '@/lib/auth/guard';
import { apiError } from '@/lib/auth/api-error';
import { logDownloadStream, parseLogFeedQuery } from '@/lib/log-feed';
import { getStore } from '@/lib/sluice.server';
import { answer, parsePath } from '../../../../../../_lib/respond';
import { uiRunPath } from '../../../../../../_lib/schemas';

export async function GET(req: Request, { params }: { params: Promise<{ workflowId: string; runId: string }> }) {
  return answer("download the run's logs", async () => {
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
    const file = `${workflowId}-${runId.slice(0, 8)}`.replace(/[^A-Za-z0-9._-]+/g, '_') + (format === 'ndjson' ? '.ndjson' : '.log');
    const body = await logDownloadStream(await getStore(), runId, query.value, format, (err) =>
      console.error(`[sluice] the log download of run ${runId} broke off:`, (err as Error)?.message ?? err),
    );
    return new Response(body, {
      headers: {
        'content-type': format === 'ndjson' ? 'application/x-ndjson; charset=utf-8' : 'text/plain; charset=utf-8',
        'content-disposition': `attachment; filename="${file}"`,
        'cache-control': 'no-store',
      },
    });
  });
}
