// POST /api/worker/v1/flows: a worker's start-up publish of its queue's flows and their code notification rules.
// GET /api/worker/v1/flows?taskQueue=Q: every entry of the queue, live and gone. Worker token, its queues only.
import { apiError } from '@/lib/auth/api-error';
import { authorizeWorker } from '@/lib/auth/guard';
import { getSluice, getStore } from '@/lib/sluice.server';
import { queueRefusal } from '@/lib/worker-api.server';
import { publishFlowsRequest, publishQueueFlows, queueQuery } from 'sluice/internal/worker-api';
import { answer, parseBody, parseQuery } from '../../../_lib/respond';
import { otherMethods } from '../../../_lib/methods';

export const dynamic = 'force-dynamic';
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods('/api/worker/v1/flows');

/** A flow catalog with its JSON Schemas is larger than a run's parameters. */
const MAX_BYTES = 4 * 1024 * 1024;

export async function POST(req: Request) {
  return answer("publish a task queue's flows", async () => {
    const caller = await authorizeWorker(req);
    if (caller instanceof Response) return caller;
    const body = await parseBody(req, publishFlowsRequest, { maxBytes: MAX_BYTES, gzip: true });
    if (!body.ok) return body.response;
    const input = body.value;
    const refusal = queueRefusal(caller, input.taskQueue);
    if (refusal) return refusal;
    const names = new Set(input.flows.map((f) => f.name));
    // A rule replaces the code rules of its flow: only of flows this publish claims, never another queue's.
    const stray = input.rules.find((r) => !names.has(r.flow));
    if (stray) return apiError('bad_request', `Invalid body: rules name the flow '${stray.flow}', which this publish does not include; a worker declares rules only for its own flows.`);
    // A flow name or task queue another repository holds: FlowNameTakenError / TaskQueueTakenError, a 409 by answer().
    const takeOvers = await publishQueueFlows(await getStore(), (await getSluice()).temporal, input);
    return Response.json({ takeOvers });
  });
}

export async function GET(req: Request) {
  return answer("read a task queue's flows", async () => {
    const caller = await authorizeWorker(req);
    if (caller instanceof Response) return caller;
    const q = parseQuery(req, queueQuery);
    if (!q.ok) return q.response;
    const refusal = queueRefusal(caller, q.value.taskQueue);
    if (refusal) return refusal;
    return Response.json({ flows: await (await getStore()).flowsOfQueue(q.value.taskQueue) });
  });
}
