// GET /api/runs/{workflowId}/logs: a run's log lines, oldest first, paged by id (viewer).
import { authorizeRequest } from '@/lib/auth/guard';
import { getSluice } from '@/lib/sluice.server';
import type { LogLevel } from 'sluice/internal/store';
import { answer, parsePath, parseQuery } from '../../../_lib/respond';
import { logsQuery, runPath } from '../../../_lib/schemas';
import { otherMethods } from '../../../_lib/methods';
import { runIdOf } from '../../../_lib/run-id';

export const dynamic = 'force-dynamic';
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods('/api/runs/{workflowId}/logs');

export async function GET(req: Request, { params }: { params: Promise<{ workflowId: string }> }) {
  return answer("read a run's logs", async () => {
    const caller = await authorizeRequest(req, 'viewer');
    if (caller instanceof Response) return caller;
    const q = parseQuery(req, logsQuery);
    if (!q.ok) return q.response;
    const path = parsePath(await params, runPath);
    if (!path.ok) return path.response;
    const { workflowId } = path.value;
    const { runId, afterId, minLevel, search, limit } = q.value;
    const sluice = await getSluice();
    const resolved = await runIdOf(sluice, workflowId, runId, 'logs');
    if (!resolved.ok) return resolved.response;
    const resolvedRunId = resolved.value;
    const logs = await sluice.readLogs({ runId: resolvedRunId, afterId, minLevel: minLevel as LogLevel | undefined, search, limit });
    // Lines of another workflow id never answer for this one, whatever runId was passed.
    const mine = logs.filter((l) => l.workflowId === workflowId);
    return Response.json({
      workflowId,
      runId: resolvedRunId,
      logs: mine,
      // A full page may have more behind it: ask again with afterId=nextAfterId.
      nextAfterId: logs.length === limit ? logs[logs.length - 1].id : null,
    });
  });
}
