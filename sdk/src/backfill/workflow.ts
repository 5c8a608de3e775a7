/**
 * The backfill's driver: a workflow that starts the deployment's run for each slot, oldest first, keeping at most
 * `maxRunning` running, and answers its progress. Cancelling it cancels the runs it started and starts no more:
 * the backfill is cancelled as a whole. Being a workflow, it survives restarts of workers and of the web app.
 *
 * Sandbox-safe: bundled with the flows by every Sluice worker (worker/bundle.ts).
 */
import {
  ChildWorkflowFailure,
  CancellationScope,
  ParentClosePolicy,
  condition,
  defineQuery,
  isCancellation,
  setHandler,
  startChild,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { runSearchAttributes } from '../run-attributes';
import { SCHEDULED_START } from '../scheduled-time';
import { BACKFILL_PROGRESS_QUERY, SCHEDULED_TIME_MEMO, type BackfillInput, type BackfillProgress } from './types';

const progressQuery = defineQuery<BackfillProgress>(BACKFILL_PROGRESS_QUERY);
// Temporal's own attributes of a scheduled run: a backfilled run carries them as a scheduled one does.
const SCHEDULED_BY = defineSearchAttributeKey('TemporalScheduledById', SearchAttributeType.KEYWORD);

export async function sluiceBackfill(input: BackfillInput): Promise<BackfillProgress> {
  const progress: BackfillProgress = { state: 'running', total: input.slots.length, started: 0, running: 0, done: 0, completed: 0, failed: 0, cancelled: 0, runs: [] };
  setHandler(progressQuery, () => progress);
  const waiting: Promise<void>[] = [];

  const finish = (entry: BackfillProgress['runs'][number], outcome: 'completed' | 'failed' | 'cancelled') => {
    entry.outcome = outcome;
    progress.running--;
    progress.done++;
    progress[outcome]++;
  };

  try {
    for (const slot of input.slots) {
      await condition(() => progress.running < input.maxRunning);
      // The id Temporal gives the scheduled run of this slot: a slot never runs twice at once.
      const workflowId = `${input.scheduleId}-${slot.replace(/\.\d{3}Z$/, 'Z')}`;
      let child: ChildWorkflowHandle<() => Promise<unknown>>;
      try {
        child = await startChild<() => Promise<unknown>>(input.flow, {
          workflowId,
          taskQueue: input.taskQueue,
          args: [input.parameters] as never,
          workflowExecutionTimeout: input.runTimeoutMs,
          // The run stays when the backfill is cancelled only if it already ended: running ones are asked to stop.
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          typedSearchAttributes: [
            ...runSearchAttributes({ flow: input.flow, deployment: input.deployment, startedBy: input.startedBy }),
            { key: SCHEDULED_START, value: new Date(slot) },
            { key: SCHEDULED_BY, value: input.scheduleId },
          ],
          memo: { [SCHEDULED_TIME_MEMO]: slot },
        });
      } catch (err) {
        if (isCancellation(err)) throw err;
        // Already running (the schedule's own run of this slot, or a second backfill's): not started twice; the
        // driver's own progress counts it as failed, the visibility counts the client reads leave it out.
        progress.started++;
        progress.running++;
        const entry = { slot, workflowId, runId: '' };
        progress.runs.push(entry);
        finish(entry, 'failed');
        continue;
      }
      const entry: BackfillProgress['runs'][number] = { slot, workflowId: child.workflowId, runId: child.firstExecutionRunId };
      progress.runs.push(entry);
      progress.started++;
      progress.running++;
      waiting.push(
        child.result().then(
          () => finish(entry, 'completed'),
          (err) => finish(entry, err instanceof ChildWorkflowFailure && isCancellation(err.cause) ? 'cancelled' : 'failed'),
        ),
      );
    }
    await Promise.all(waiting);
    progress.state = 'completed';
    return progress;
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Cancelled as a whole: the running runs were asked to stop with it; record how they end, then end cancelled.
    await CancellationScope.nonCancellable(() => Promise.all(waiting));
    progress.state = 'cancelled';
    throw err;
  }
}
