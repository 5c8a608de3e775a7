/**
 * What the worker API's routes check beyond the token (guard.ts authorizeWorker): a worker token touches only
 * its task queues — their flows and tasks, and the lines of runs on them. A run's task queue is Temporal's
 * word (describe), remembered per run: it never changes, and a busy worker sends many batches per run.
 */
import 'server-only';
import type { WorkerCaller } from './auth/guard';
import { apiError } from './auth/api-error';
import { getSluice } from './sluice.server';

export interface RunRef {
  workflowId: string;
  runId: string;
}

/** Runs whose task queue is known, oldest first (a Map keeps insertion order); bounded. */
const queueOfRun = new Map<string, string>();
const REMEMBERED_RUNS = 50_000;
/** Describes at once, so a batch naming thousands of runs cannot flood Temporal. */
const PARALLEL_DESCRIBES = 16;
const GRPC_NOT_FOUND = 5;

/** The 403 for a task queue the token does not name, or null when it names it. */
export function queueRefusal(caller: WorkerCaller, taskQueue: string): Response | null {
  if (caller.taskQueues.includes(taskQueue)) return null;
  return apiError('forbidden', `The worker token '${caller.name}' serves the task queue(s) ${caller.taskQueues.join(', ')}, not '${taskQueue}'. An admin can create a token for that queue.`);
}

/**
 * Of `refs` (lines or progress of a batch), the runs not on the caller's task queues, including runs Temporal does
 * not know: none of their lines may be written. Throws when Temporal does not answer (the route says 503).
 */
export async function runsOutsideQueues(caller: WorkerCaller, refs: readonly RunRef[]): Promise<RunRef[]> {
  const unique = new Map<string, RunRef>();
  for (const r of refs) unique.set(keyOf(r), { workflowId: r.workflowId, runId: r.runId });
  const unknown = [...unique.entries()].filter(([key]) => !queueOfRun.has(key));
  if (unknown.length) {
    const { temporal } = await getSluice();
    for (let i = 0; i < unknown.length; i += PARALLEL_DESCRIBES) {
      await Promise.all(
        unknown.slice(i, i + PARALLEL_DESCRIBES).map(async ([key, ref]) => {
          try {
            const { taskQueue } = await temporal.workflow.getHandle(ref.workflowId, ref.runId).describe();
            remember(key, taskQueue);
          } catch (err) {
            if (!isNotFound(err)) throw err;
          }
        }),
      );
    }
  }
  return [...unique.entries()].filter(([key]) => !caller.taskQueues.includes(queueOfRun.get(key) ?? '')).map(([, ref]) => ref);
}

/** The 403 for a batch about runs outside the token's queues (lines, replay findings), naming them (the worker drops their lines). */
export function runsRefusal(caller: WorkerCaller, runs: RunRef[], what = 'write lines'): Response {
  const named = runs.slice(0, 5).map((r) => `${r.workflowId} (run ${r.runId})`).join(', ');
  const more = runs.length > 5 ? ` and ${runs.length - 5} more` : '';
  const message = `The worker token '${caller.name}' may ${what} only for runs on its task queue(s) ${caller.taskQueues.join(', ')}; ${named}${more} ${runs.length === 1 ? 'is not one' : 'are not'}. Nothing of this batch was written.`;
  return Response.json({ error: { code: 'forbidden', message, runs } }, { status: 403, headers: { 'cache-control': 'no-store' } });
}

function keyOf(r: RunRef): string {
  return `${r.workflowId}\u0000${r.runId}`;
}

function remember(key: string, taskQueue: string): void {
  if (queueOfRun.size >= REMEMBERED_RUNS) queueOfRun.delete(queueOfRun.keys().next().value!);
  queueOfRun.set(key, taskQueue);
}

function isNotFound(err: unknown): boolean {
  for (let at = err as { name?: string; code?: unknown; cause?: unknown } | undefined, hops = 0; at && hops < 5; at = at.cause as typeof at, hops++) {
    if (at.name === 'WorkflowNotFoundError' || at.code === GRPC_NOT_FOUND) return true;
  }
  return false;
}
