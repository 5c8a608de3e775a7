// GET /api/runs/{workflowId}/artifacts: what a run published (tables, markdown, links, images, charts), in order (viewer).
import { authorizeRequest } from '@/lib/auth/guard';
import { getSluice } from '@/lib/sluice.server';
import { answer, parsePath, parseQuery } from '../../../_lib/respond';
import { artifactsQuery, runPath } from '../../../_lib/schemas';
import { otherMethods } from '../../../_lib/methods';
import { runIdOf } from '../../../_lib/run-id';

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
    const resolved = await runIdOf(sluice, workflowId, runId, 'artifacts');
    if (!resolved.ok) return resolved.response;
    const resolvedRunId = resolved.value;
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
