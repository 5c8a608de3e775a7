/**
 * A unit test of one task: runs it as a worker would, inside a task's context (so `log`, `progress()`,
 * `lastProgress()` and `cancellationSignal()` work), without Temporal, and returns what it reported.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Progress } from '../task';

/**
 * What `runTask` gives back: the task's result and the progress it reported.
 *
 * @example
 * const { result, progress } = await runTask(fetchRainfall, 'DeBilt', 3);
 */
export interface TaskTestResult<R> {
  /** What the task returned. */
  result: R;
  /** Every `progress()` it reported, in order. */
  progress: Progress[];
}

/**
 * Runs `task(...args)` once, as a worker would but without Temporal; rejects with the task's own error.
 *
 * @example
 * const { result, progress } = await runTask(fetchRainfall, 'DeBilt', 3);
 * assert.equal(result.length, 3);
 * assert.equal(progress.at(-1)?.done, 3);
 */
export async function runTask<A extends unknown[], R>(task: (...args: A) => Promise<R>, ...args: A): Promise<TaskTestResult<R>> {
  const env = new MockActivityEnvironment();
  const progress: Progress[] = [];
  env.on('heartbeat', (details: Progress) => progress.push(details));
  const result = (await env.run(task, ...args)) as R;
  return { result, progress };
}
