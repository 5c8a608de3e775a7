// POST /api/worker/v1/logs: a worker's batch of log lines and task progress, for runs on its token's task queues
// (worker token; gzip accepted). All or nothing: a line of another queue's run refuses the whole batch (403, naming it).
import { authorizeWorker } from '@/lib/auth/guard';
import { getStore } from '@/lib/sluice.server';
import { runsOutsideQueues, runsRefusal } from '@/lib/worker-api.server';
import { logsRequest, MAX_LOGS_BODY_BYTES } from 'sluice/internal/worker-api';
import { answer, parseBody } from '../../../_lib/respond';
import { otherMethods } from '../../../_lib/methods';

export const dynamic = 'force-dynamic';
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods('/api/worker/v1/logs');

export async function POST(req: Request) {
  return answer('write log lines', async () => {
    const caller = await authorizeWorker(req);
    if (caller instanceof Response) return caller;
    const body = await parseBody(req, logsRequest, { maxBytes: MAX_LOGS_BODY_BYTES, gzip: true });
    if (!body.ok) return body.response;
    const { lines, progress = [] } = body.value;
    const refused = await runsOutsideQueues(caller, [...lines, ...progress]);
    if (refused.length) return runsRefusal(caller, refused);
    await (await getStore()).insertLogs(lines, progress);
    return Response.json({ written: lines.length });
  });
}
