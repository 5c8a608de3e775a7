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
import { TASK_PROGRESS } from './log';
import type { TaskOptions } from './task-options';

export type { TaskOptions } from './task-options';
export type { ConcurrencyLimit, RateLimit } from './limits/limit-types';

const OPTIONS = Symbol.for('sluice.task.options');

export type Task<F extends (...args: any[]) => Promise<any>> = F & { readonly [OPTIONS]: TaskOptions };

export function task<F extends (...args: any[]) => Promise<any>>(fn: F): Task<F>;
export function task<F extends (...args: any[]) => Promise<any>>(options: TaskOptions, fn: F): Task<F>;
export function task(a: TaskOptions | ((...args: any[]) => Promise<any>), b?: (...args: any[]) => Promise<any>) {
  const [options, fn] = typeof a === 'function' ? [{}, a] : [a, b!];
  if (typeof fn !== 'function') throw new TypeError('task(options, fn): fn must be an async function');
  return Object.assign(fn, { [OPTIONS]: Object.freeze({ ...options }) });
}

/** The options a task declared, or undefined for a plain function (which gets the defaults). */
export function declaredTaskOptions(fn: unknown): TaskOptions | undefined {
  return typeof fn === 'function' ? (fn as unknown as Record<symbol, TaskOptions | undefined>)[OPTIONS] : undefined;
}

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
 */
export function progress(done: number, total: number, message?: string): void {
  const context = Context.current();
  const report = { done, total, message } satisfies Progress;
  context.heartbeat(report);
  (globalThis as { [TASK_PROGRESS]?: ProgressWriter })[TASK_PROGRESS]?.(context.info, report);
}

/** The progress the previous attempt of this task last reported, to resume from; undefined on a first attempt. */
export function lastProgress(): Progress | undefined {
  return Context.current().info.heartbeatDetails as Progress | undefined;
}

/** Aborted when the run is cancelled (or this attempt timed out): pass it to fetch() and long loops. */
export function cancellationSignal(): AbortSignal {
  return Context.current().cancellationSignal;
}

/**
 * Waits `ms` milliseconds, or rejects as soon as the run is cancelled (or this attempt timed out): for
 * pauses inside long tasks (polling, rate limits).
 */
export function sleep(ms: number): Promise<void> {
  return Context.current().sleep(ms);
}

export { log } from './log';
export { publish, ArtifactError, type TableOptions } from './publish';
