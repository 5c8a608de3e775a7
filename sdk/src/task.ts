/**
 * `task()` declares a task: an async function plus its retry policy, run as a Temporal activity.
 *
 * @example
 * export const downloadRainfall = task(
 *   { retries: 5, retryDelay: '10s', timeout: '2m', nonRetryableErrors: ['StationUnknown'] },
 *   async function downloadRainfall(station: string) { ... },
 * );
 */
import { Context } from '@temporalio/activity';
import { TASK_OPTIONS } from './declarations';
import { TASK_PROGRESS } from './log';
import type { TaskOptions } from './task-options';

/**
 * What `task()` returns: the same function, carrying its declared options for the worker.
 *
 * @example
 * const download: Task<(url: string) => Promise<string>> = task(async function download(url: string) { return url; });
 */
export type Task<F extends (...args: any[]) => Promise<any>> = F & { readonly [TASK_OPTIONS]: TaskOptions };

/**
 * Declares a task: an async function plus its retry policy and timeouts, run as a Temporal activity. Its name is
 * the function's export name in the activities module.
 *
 * @example
 * export const downloadRainfall = task(
 *   { retries: 5, retryDelay: '10s', timeout: '2m', nonRetryableErrors: ['StationUnknown'] },
 *   async function downloadRainfall(station: string) { return fetchSeries(station); },
 * );
 */
export function task<F extends (...args: any[]) => Promise<any>>(fn: F): Task<F>;
export function task<F extends (...args: any[]) => Promise<any>>(options: TaskOptions, fn: F): Task<F>;
export function task(a: TaskOptions | ((...args: any[]) => Promise<any>), b?: (...args: any[]) => Promise<any>) {
  const [options, fn] = typeof a === 'function' ? [{}, a] : [a, b!];
  if (typeof fn !== 'function') throw new TypeError('task(options, fn): fn must be an async function');
  return Object.assign(fn, { [TASK_OPTIONS]: Object.freeze({ ...options }) });
}

/**
 * How far a task is: `done` of `total` steps, and what it is doing now.
 *
 * @example
 * const resumeAt = (lastProgress() satisfies Progress | undefined)?.done ?? 0;
 */
export interface Progress {
  done: number;
  total: number;
  message?: string;
}

type ProgressWriter = (info: Context['info'], progress: Progress) => void;

/**
 * Reports how far a long task is: the run page shows it as a progress bar, at most a second behind (it goes to
 * the store with the task's log lines). It is also a heartbeat, so a dead worker is noticed after
 * `heartbeatTimeout` (not `timeout`), a cancellation reaches the task, and a retried attempt can resume from
 * `lastProgress()`. Cheap enough for a tight loop: only the latest report is written, and Temporal throttles
 * the heartbeats.
 *
 * @example
 * for (const [i, station] of stations.entries()) {
 *   progress(i, stations.length, `station ${station}`);
 *   await load(station);
 * }
 */
export function progress(done: number, total: number, message?: string): void {
  const context = Context.current();
  const report = { done, total, message } satisfies Progress;
  context.heartbeat(report);
  (globalThis as { [TASK_PROGRESS]?: ProgressWriter })[TASK_PROGRESS]?.(context.info, report);
}

/**
 * The progress the previous attempt of this task last reported, to resume from; undefined on a first attempt.
 *
 * @example
 * const start = lastProgress()?.done ?? 0;
 * for (let i = start; i < files.length; i++) { await load(files[i]); progress(i + 1, files.length); }
 */
export function lastProgress(): Progress | undefined {
  return Context.current().info.heartbeatDetails as Progress | undefined;
}

/**
 * Aborted when the run is cancelled (or this attempt timed out): pass it to fetch() and long loops.
 *
 * @example
 * const response = await fetch(url, { signal: cancellationSignal() });
 */
export function cancellationSignal(): AbortSignal {
  return Context.current().cancellationSignal;
}

/**
 * Waits `ms` milliseconds, or rejects as soon as the run is cancelled (or this attempt timed out): for
 * pauses inside long tasks (polling, rate limits).
 *
 * @example
 * while (!(await jobDone(id))) await sleep(5_000);
 */
export function sleep(ms: number): Promise<void> {
  return Context.current().sleep(ms);
}

