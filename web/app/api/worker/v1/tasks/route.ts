// POST /api/worker/v1/tasks: the whole set of tasks a (Python) worker serves on its queue.
// GET /api/worker/v1/tasks?taskQueue=Q: the queue's live tasks. Worker token, its queues only.
import { authorizeWorker } from '@/lib/auth/guard';
import { getStore } from '@/lib/sluice.server';
import { queueRefusal } from '@/lib/worker-api.server';
import { publishTasksRequest, queueQuery } from 'sluice/internal/worker-api';
import { answer, parseBody, parseQuery } from '../../../_lib/respond';
import { otherMethods } from '../../../_lib/methods';

export const dynamic = 'force-dynamic';
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods('/api/worker/v1/tasks');

export async function POST(req: Request) {
  return answer("publish a task queue's tasks", async () => {
    const caller = await authorizeWorker(req);
    if (caller instanceof Response) return caller;
    const body = await parseBody(req, publishTasksRequest, { gzip: true });
    if (!body.ok) return body.response;
    const { taskQueue, tasks, worker } = body.value;
    const refusal = queueRefusal(caller, taskQueue);
    if (refusal) return refusal;
    await (await getStore()).publishTasks(taskQueue, tasks, worker);
    return Response.json({ published: Object.keys(tasks).length });
  });
}

export async function GET(req: Request) {
  return answer("read a task queue's tasks", async () => {
    const caller = await authorizeWorker(req);
    if (caller instanceof Response) return caller;
    const q = parseQuery(req, queueQuery);
    if (!q.ok) return q.response;
    const refusal = queueRefusal(caller, q.value.taskQueue);
    if (refusal) return refusal;
    return Response.json({ tasks: await (await getStore()).tasksOfQueue(q.value.taskQueue) });
  });
}
