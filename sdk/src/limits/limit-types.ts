/**
 * Concurrency and rate limits: the shapes shared by the flow side (sandbox), the limiter workflow, the worker's
 * limit tasks and the client. Sandbox-safe: types and constants only.
 *
 * Each limit key has one limiter workflow (`sluiceLimiter`, id `sluice-limit:<kind>:<key>`). A run asks it for
 * a slot by signal-with-start and waits for a grant signal; the holder of a slot is the *run*, not a worker
 * process, so a killed worker does not lose it (the run goes on elsewhere) and a run that ends gives it back.
 */

/** `concurrency`: at most `limit` holders at once. `rate`: at most `limit` starts in any window of `perMs`. */
export type LimitKind = 'concurrency' | 'rate';

/** The workflow type of the limiter: left out of the runs list and never a flow's name. */
export const LIMITER_WORKFLOW = 'sluiceLimiter';

export const ACQUIRE_SIGNAL = 'sluice.limits.acquire';
export const RELEASE_SIGNAL = 'sluice.limits.release';
export const GRANT_SIGNAL = 'sluice.limits.granted';
/** The local tasks of every flow worker that reach the limiter and check holders (worker/limit-tasks.ts). */
export const REQUEST_TASK = 'sluice.limits.request';
export const CLOSED_RUNS_TASK = 'sluice.limits.closedRuns';

/** The run's memo while it waits for slots: what for, so the runs list and run page can say it. */
export const WAITING_FOR_MEMO = 'sluiceWaitingFor';
/** The limiter's memo: how many slots are in use, by which runs, and how many wait. */
export const LIMIT_MEMO = 'sluiceLimit';
/** The value of the SluiceWaiting search attribute while a run waits for a slot. */
export const WAITING_FOR_SLOT = 'slot';

export function limiterId(kind: LimitKind, key: string): string {
  return `sluice-limit:${kind}:${key}`;
}

/** One request of a run for a slot (or for a start, under a rate limit). */
export interface LimitRequest {
  /** Unique per request: `<runId>:<n>`. */
  requestId: string;
  workflowId: string;
  runId: string;
  /** The limit the requester declares; the latest request's limit is in force. */
  limit: number;
  /** The window of a rate limit, in milliseconds. */
  perMs?: number;
  /** What the slot is for: `run of flow X`, `task download`. */
  what: string;
  at: string;
}

/**
 * What a run waits for, as its memo and the run summary show it.
 *
 * @example
 * for (const wait of run.waitingFor ?? []) console.log(`waiting for a slot of ${wait.key}`);
 */
export interface SlotWait {
  kind: LimitKind;
  key: string;
  limit: number;
  perMs?: number;
  what: string;
  since: string;
}

/**
 * What a limiter says of itself in its memo: its limit, who holds its slots and how many wait.
 *
 * @example
 * const detail = await sluice.getRun(run);
 * for (const limit of detail.limits) console.log(limit.key, `${limit.holders.length} of ${limit.limit} in use`, `${limit.waiting} waiting`);
 */
export interface LimitState {
  kind: LimitKind;
  key: string;
  limit: number;
  perMs?: number;
  /** Slots in use (concurrency), or starts in the current window (rate). */
  inUse: number;
  /** The runs holding slots (the first 20). */
  holders: { workflowId: string; runId: string; what: string; since: string }[];
  waiting: number;
}

/**
 * A declared limit: a number, or a limit with the key it is counted per (shared by every declaration of that key).
 *
 * @example
 * // one run of the reservoir model per basin at once
 * flow({ parameters, concurrency: { limit: 1, key: (p) => p.basin } }, async (p) => simulate(p));
 * // at most two downloads from the KNMI API at once, across all runs and workers
 * task({ concurrency: { limit: 2, key: 'knmi-api' } }, async function download(url: string) { return fetchText(url); });
 */
export interface ConcurrencyLimit<P = never> {
  limit: number;
  /**
   * What the limit is counted per. On a task, a name shared by the tasks it limits together (e.g. 'knmi-api');
   * on a flow, a function of the run's parameters (e.g. `(p) => p.basin`): at most `limit` runs per value.
   */
  key?: string | ((parameters: P) => string);
}

/**
 * At most `limit` task starts in any window of `per`, counted per `key`.
 *
 * @example
 * task({ rateLimit: { limit: 30, per: '1 minute', key: 'knmi-api' } }, async function download(url: string) { return fetchText(url); });
 */
export interface RateLimit {
  /** At most this many starts… */
  limit: number;
  /** …in any window this long (e.g. '1 minute', '10s'). Default one minute. */
  per?: string | number;
  /** A name shared by the tasks whose starts count together; default the task's name. */
  key?: string;
}
