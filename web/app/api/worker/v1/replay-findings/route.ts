// POST /api/worker/v1/replay-findings: the open runs of its task queue a starting worker's code cannot replay
// (sdk/src/replay/start-up-replay.ts); replaces the queue's findings. Worker token, its queues' runs only.
import { authorizeWorker } from '@/lib/auth/guard';
import { getStore } from '@/lib/sluice.server';
import { queueRefusal, runsOutsideQueues, runsRefusal } from '@/lib/worker-api.server';
import { replayFindingsRequest } from 'sluice/internal/worker-api';
import { answer, parseBody } from '../../../_lib/respond';
import { otherMethods } from '../../../_lib/methods';

export const dynamic = 'force-dynamic';
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods('/api/worker/v1/replay-findings');

export async function POST(req: Request) {
  return answer('report replay findings', async () => {
    const caller = await authorizeWorker(req);
    if (caller instanceof Response) return caller;
    const body = await parseBody(req, replayFindingsRequest, { gzip: true });
    if (!body.ok) return body.response;
    const { taskQueue, worker, findings } = body.value;
    const refusal = queueRefusal(caller, taskQueue);
    if (refusal) return refusal;
    // A worker may mark only its own queues' runs: the run page shows a finding to everyone who opens that run.
    const refused = await runsOutsideQueues(caller, findings);
    if (refused.length) return runsRefusal(caller, refused, 'report replay findings');
    const foundAt = Date.now();
    await (await getStore()).replaceReplayFindings(taskQueue, findings.map((f) => ({ ...f, foundAt, worker })));
    return Response.json({ stored: findings.length });
  });
}
