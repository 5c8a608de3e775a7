// GET /api/runs/{workflowId}/artifacts: what a run published (tables, markdown, links, images, charts), in order (viewer).
import { apiError } from '@/lib/auth/api-error';
import { authorizeRequest } from '@/lib/auth/guard';
import { getSluice } from '@/lib/sluice.server';
import { answer, parsePath, parseQuery } from '../../../_lib/respond';
import { artifactsQuery, runPath } from '../../../_lib/schemas';
import { otherMethods } from '../../../_lib/methods';

export const dynamic = 'force-dynamic';
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods('/api/runs/{workflowId}/artifacts');

export async function GET(req: Request, { params }: { params: Promise<{ workflowId: string }> }) {
  return answer("read a run's artifacts", async () => {
    const caller = await authorizeRequest(req, 'viewer');
    if (caller instanceof Response) return caller;
    const q = parseQuery(req, artifactsQuery);
    if (!q.ok) return q.response;
    const path = parsePath(await params, runPath);
    if (!path.ok) return path.response;
    const { workflowId } = path.value;
    const { runId, afterId, limit } = q.value;
    const sluice = await getSluice();
    let resolvedRunId = runId;
    if (!resolvedRunId) {
      const run = await sluice.getRunSummary(workflowId);
      if (!run) return apiError('not_found', `There is no run ${workflowId}. Check the id, or pass runId for an older run's artifacts.`);
      resolvedRunId = run.runId;
    }
    const artifacts = await sluice.store.readArtifacts(resolvedRunId, { afterId, limit });
    return Response.json({
      workflowId,
      runId: resolvedRunId,
      // Artifacts of another workflow id never answer for this one, whatever runId was passed.
      artifacts: artifacts.filter((a) => a.workflowId === workflowId),
      nextAfterId: artifacts.length === limit ? artifacts[artifacts.length - 1]!.id : null,
    });
  });
}
