/**
 * A unit test of one task: runs it as a worker would, inside a task's context (so `log`, `progress()`,
 * `lastProgress()` and `cancellationSignal()` work), without Temporal, and returns what it reported.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Progress } from '../task';

export interface TaskTestResult<R> {
  /** What the task returned. */
  result: R;
  /** Every `progress()` it reported, in order. */
  progress: Progress[];
}

/** Runs `task(...args)` once; rejects with the task's own error. */
export async function runTask<A extends unknown[], R>(task: (...args: A) => Promise<R>, ...args: A): Promise<TaskTestResult<R>> {
  const env = new MockActivityEnvironment();
  const progress: Progress[] = [];
  env.on('heartbeat', (details: Progress) => progress.push(details));
  const result = (await env.run(task, ...args)) as R;
  return { result, progress };
}
