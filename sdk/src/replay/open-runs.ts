/**
 * The histories of a task queue's runs, read from Temporal: what a starting worker replays, and what
 * `sluice history export` writes to files.
 */
import type { Client } from '@temporalio/client';
import { quote } from '../client/visibility';
import type { HistoryToReplay } from './replay-histories';

export interface QueueRunsOptions {
  taskQueue: string;
  /** Only runs still going (default), or every run Temporal keeps. */
  open?: boolean;
  /** At most this many runs (newest first where visibility orders; the dev server's does not). */
  limit: number;
}

/** Each run's history in turn, fetched only when the consumer asks for it (a stopped consumer fetches no more). */
export async function* queueRunHistories(client: Client, options: QueueRunsOptions): AsyncGenerator<HistoryToReplay & { runId: string; flow: string }> {
  const query = `TaskQueue = ${quote(options.taskQueue)}${options.open === false ? '' : ' AND ExecutionStatus = "Running"'}`;
  let count = 0;
  for await (const run of client.workflow.list({ query, pageSize: Math.min(options.limit, 1_000) })) {
    if (count++ >= options.limit) return;
    const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    yield { workflowId: run.workflowId, runId: run.runId, flow: run.type, history };
  }
}
