/**
 * Task options: the retry policy and timeouts a task declares once, beside its code.
 *
 * This module is loaded both by the worker (Node) and inside the workflow sandbox, so it imports
 * nothing but types.
 */
import type { ActivityOptions, LocalActivityOptions } from '@temporalio/common';
import type { ConcurrencyLimit, RateLimit } from './limits/limit-types';

/**
 * A duration: milliseconds, or a string such as '30s', '5 minutes', '1h'.
 *
 * @example
 * const timeout: Duration = '2m';
 */
export type Duration = string | number;

/**
 * A task's retry policy and timeouts, declared once beside its code (`task(options, fn)`); a flow may override
 * parts of it for its calls (`tasks<typeof activities>(overrides)`).
 *
 * @example
 * const options: TaskOptions = { retries: 5, retryDelay: '10s', timeout: '2m', nonRetryableErrors: ['StationUnknown'] };
 */
export interface TaskOptions {
  /** How many times a failed attempt is retried; 0 = never. Default 3 (so 4 attempts at most). */
  retries?: number;
  /** Delay before the first retry. Default '1s'. */
  retryDelay?: Duration;
  /** Each further delay is the previous one times this. Default 2. */
  backoff?: number;
  /** Upper bound of the delay between retries. Default '1m'. */
  maxRetryDelay?: Duration;
  /** How long one attempt may take before it counts as failed (and is retried). Default '10m'. */
  timeout?: Duration;
  /**
   * A long task that calls `heartbeat()` at least this often; when heartbeats stop (a worker died),
   * the attempt is retried on another worker this soon instead of after `timeout`.
   */
  heartbeatTimeout?: Duration;
  /**
   * Error types that fail the task at once, without retry: an error's class name
   * (`class StationUnknown extends Error`) or an `ApplicationFailure` type.
   */
  nonRetryableErrors?: string[];
  /**
   * Run the task as a Temporal *local activity*: in the worker that runs the flow, without a round trip
   * through the server's task queue — about 10× less overhead per call, for short steps (parsing,
   * small transforms, a quick lookup). The trade-offs: each attempt is recorded only when it ends (no
   * "started" on the run page while it runs), it runs on the flow's worker, a retry longer than a few
   * seconds away is scheduled through a timer, and it cannot heartbeat (no `heartbeatTimeout`, no
   * `progress()`). Keep it for steps of seconds, not minutes. Default false.
   */
  local?: boolean;
  /**
   * At most this many calls of the task run at once, across all runs and workers. A number counts this task
   * alone; `{ limit: 2, key: 'knmi-api' }` counts every task declaring that key together. A call waits for a
   * slot before it is scheduled; the run shows what it waits for. The slot is held through the call's retries.
   */
  concurrency?: number | ConcurrencyLimit;
  /**
   * At most `limit` starts of the task in any window of `per` (default one minute), across all runs and workers
   * (`key` shares the count among tasks). Counted when a run schedules a call; retries are not counted.
   */
  rateLimit?: RateLimit;
}

/**
 * The local task of every flow worker that reads the tasks a Python worker published on a queue (name →
 * declared options), for `pythonTasks()`. Not a task of the project: the run page leaves it out.
 */
export const SLUICE_TASK_CATALOG = 'sluice.taskCatalog';

export const DEFAULT_TASK_OPTIONS = {
  retries: 3,
  retryDelay: '1s',
  backoff: 2,
  maxRetryDelay: '1m',
  timeout: '10m',
} as const satisfies TaskOptions;

/** The options in force: defaults, then declared, then call-site overrides. */
export function effectiveTaskOptions(...layers: (TaskOptions | undefined)[]): TaskOptions {
  return Object.assign({}, DEFAULT_TASK_OPTIONS, ...layers.filter(Boolean));
}

/** Translates Sluice's task options (defaults, then declared, then call-site overrides) to Temporal's. */
export function toActivityOptions(...layers: (TaskOptions | undefined)[]): ActivityOptions {
  const o = effectiveTaskOptions(...layers);
  return {
    startToCloseTimeout: o.timeout,
    heartbeatTimeout: o.heartbeatTimeout,
    retry: {
      maximumAttempts: (o.retries ?? 0) + 1,
      initialInterval: o.retryDelay,
      backoffCoefficient: o.backoff,
      maximumInterval: o.maxRetryDelay,
      nonRetryableErrorTypes: o.nonRetryableErrors,
    },
  };
}

/** The same for a local task (`local: true`): a local activity has no heartbeat. */
export function toLocalActivityOptions(...layers: (TaskOptions | undefined)[]): LocalActivityOptions {
  const { startToCloseTimeout, retry } = toActivityOptions(...layers);
  return { startToCloseTimeout, retry };
}
