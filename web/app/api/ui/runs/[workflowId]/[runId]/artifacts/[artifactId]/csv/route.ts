/**
 * Downloads a table artifact as CSV (every row; the page shows it a page at a time). Safe to open in a spreadsheet:
 * see lib/artifact-csv.ts.
 *
 * GET /api/ui/runs/{workflowId}/{runId}/artifacts/{artifactId}/csv
 * → 200 text/csv   400 { error } on a bad path or an artifact that is no table   404 { error } when the run has no such artifact
 */
import { apiError } from '@/lib/auth/api-error';
import { authorizeRequest } from '@/lib/auth/guard';
import { csvFileName, tableCsv } from '@/lib/artifact-csv';
import { getStore } from '@/lib/sluice.server';
import { answer, parsePath } from '../../../../../../../_lib/respond';
import { uiArtifactPath } from '../../../../../../../_lib/schemas';

export const dynamic = 'force-dynamic';

export async function GET(req: Request, { params }: { params: Promise<{ workflowId: string; runId: string; artifactId: string }> }) {
  return answer('download the table', async () => {
    const caller = await authorizeRequest(req, 'viewer');
    if (caller instanceof Response) return caller;
    const path = parsePath(await params, uiArtifactPath);
    if (!path.ok) return path.response;
    const { workflowId, runId, artifactId } = path.value;
    const artifact = await (await getStore()).getArtifact(artifactId);
    if (!artifact || artifact.runId !== runId || artifact.workflowId !== workflowId) {
      return apiError('not_found', `Run ${workflowId} / ${runId} has no artifact ${artifactId}.`);
    }
    if (artifact.kind !== 'table') return apiError('bad_request', `Artifact ${artifactId} ('${artifact.key}') is a ${artifact.kind}, not a table: only tables download as CSV.`);
    return new Response(tableCsv(artifact), {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${csvFileName(artifact.key, runId)}"`,
        'cache-control': 'no-store',
      },
    });
  });
}
