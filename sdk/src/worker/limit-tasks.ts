/**
 * The flows' own local tasks for limits (sdk/src/limits): reaching a key's limiter by signal-with-start (it
 * starts on the asking run's task queue when it is not running), and telling the limiter which holder runs have
 * closed. Not tasks of the project: the run page leaves them out.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { RequestInput } from '../limits/acquire';
import type { LimiterInput } from '../limits/limiter-workflow';
import { ACQUIRE_SIGNAL, CLOSED_RUNS_TASK, LIMITER_WORKFLOW, REQUEST_TASK } from '../limits/limit-types';

export function limitTasksOf(client: Client) {
  return {
    async [REQUEST_TASK]({ limiterId, taskQueue, kind, key, request }: RequestInput): Promise<void> {
      const initial: LimiterInput = { kind, key, limit: request.limit, ...(request.perMs !== undefined ? { perMs: request.perMs } : {}), holders: [], queue: [], starts: [] };
      await client.workflow.signalWithStart(LIMITER_WORKFLOW, {
        workflowId: limiterId,
        taskQueue,
        args: [initial],
        signal: ACQUIRE_SIGNAL,
        signalArgs: [request],
      });
    },
    /** The run ids of `runs` that are no longer running (or no longer exist). */
    async [CLOSED_RUNS_TASK](runs: { workflowId: string; runId: string }[]): Promise<string[]> {
      const closed: string[] = [];
      await Promise.all(
        runs.map(async ({ workflowId, runId }) => {
          try {
            const d = await client.workflow.getHandle(workflowId, runId).describe();
            if (d.status.name !== 'RUNNING') closed.push(runId);
          } catch (e) {
            if (e instanceof WorkflowNotFoundError) closed.push(runId);
            else throw e;
          }
        }),
      );
      return closed;
    },
  };
}
