/**
 * The shapes the store reads and writes. A log record is one line a flow or task wrote through the run
 * logger; the worker adds the run (workflowId + runId), the task and the attempt before it reaches the store.
 */
import type { Artifact } from '../artifacts';

/**
 * Severity of a log line, lowest first.
 *
 * @example
 * const lines = await sluice.readLogs({ runId, minLevel: 'warn' satisfies LogLevel });
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Every level, lowest severity first (the order `minLevel` filters by). */
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** Levels at `minLevel` or above, e.g. `levelsFrom('warn')` → `['warn', 'error']`. */
export function levelsFrom(minLevel: LogLevel): LogLevel[] {
  const from = LOG_LEVELS.indexOf(minLevel);
  if (from < 0) throw new TypeError(`Unknown log level '${String(minLevel)}': use one of ${LOG_LEVELS.join(', ')}.`);
  return LOG_LEVELS.slice(from);
}

/**
 * One log line of a run, as the worker hands it to the store.
 *
 * @example
 * { time: Date.now(), level: 'info', message: 'downloaded rainfall', fields: { rows: 42 },
 *   workflowId: 'rainfall-2024', runId: '0193…', flow: 'rainfall', task: 'download', activityId: '1', attempt: 1 }
 */
export interface LogRecord {
  /** Epoch milliseconds. */
  time: number;
  level: LogLevel;
  message: string;
  /** Structured context; stored as JSON text (values JSON cannot hold, like bigint, are stored as strings). */
  fields?: Record<string, unknown>;
  /**
   * The fields as JSON text, made when the line was written (the worker sets it, so later changes to a
   * logged object do not reach the store); stored instead of `fields` when set. Never read back.
   */
  fieldsText?: string;
  workflowId: string;
  runId: string;
  flow?: string | null;
  /** The task (activity type) that wrote the line; null for lines the flow itself wrote. */
  task?: string | null;
  activityId?: string | null;
  attempt?: number | null;
  /**
   * A result published with `publish` (sluice/artifacts.ts): the store keeps it in its artifacts table, beside
   * this line, which says what was published. Checked against the artifact schema when published and again by the store.
   */
  artifact?: Artifact;
}

/**
 * A log line read back from the store; `id` grows with insertion order, so it pages and tails.
 *
 * @example
 * const lines: StoredLog[] = await sluice.readLogs({ runId });
 * for (const l of lines) console.log(l.time, l.level, l.message);
 */
export interface StoredLog extends LogRecord {
  id: number;
}

/**
 * What a running task last reported with `progress()`, as the worker hands it to the store with its log lines.
 * Only the latest of each task of a run is kept (a later attempt's replaces an earlier one's).
 *
 * @example
 * { time: Date.now(), workflowId, runId, task: 'simulate', activityId: '3', attempt: 1, done: 12, total: 60, message: 'step 12 of 60' }
 */
export interface ProgressRecord {
  /** Epoch milliseconds of the `progress()` call. */
  time: number;
  workflowId: string;
  runId: string;
  task?: string | null;
  activityId: string;
  attempt: number;
  done: number;
  total: number;
  message?: string | null;
}

/**
 * Which lines of one run to read.
 *
 * @example
 * // the next page of warnings and errors mentioning "timeout", oldest first
 * store.readLogs({ runId, afterId: lastSeenId, minLevel: 'warn', search: 'timeout', limit: 200 })
 *
 * @example
 * const query: LogQuery = { runId, minLevel: 'info', limit: 500 };
 * const lines = await sluice.readLogs(query);
 */
export interface LogQuery {
  runId: string;
  /** Only lines with an id greater than this (tailing, paging forwards). */
  afterId?: number;
  /** Only lines with an id smaller than this (paging backwards). */
  beforeId?: number;
  /** Only lines at this severity or above. */
  minLevel?: LogLevel;
  /** Case-insensitive substring of the message or of the fields' JSON text. */
  search?: string;
  /** Only lines written by this task. */
  task?: string;
  /** Default 500; larger values are capped at 5000. */
  limit?: number;
  /** By id; default 'asc' (oldest first). */
  order?: 'asc' | 'desc';
}

/**
 * One flow of the catalog the worker publishes at start-up, so the web app can list flows, draw their
 * parameter form and show their deployments without loading flow code.
 */
export interface FlowEntry {
  name: string;
  taskQueue: string;
  description: string | null;
  /** JSON Schema of the flow's parameters (from its zod schema). */
  parametersSchema: unknown;
  /** The deployments declared in code for this flow. */
  deployments: unknown[];
  /** The flow's declared runTimeout in milliseconds; null or absent: the default (24 hours). */
  runTimeoutMs?: number | null;
  /** Epoch milliseconds. */
  updatedAt: number;
  /**
   * Epoch milliseconds when its task queue stopped declaring it (or another queue took its name over); null
   * (or absent, when publishing) while it is served. A gone flow cannot be started; its past runs stay readable.
   */
  goneAt?: number | null;
  /** The repository whose worker published it (package.json "sluice.repository" or name); null if unknown. */
  repository?: string | null;
}

/** A task a worker in another language (Python) serves, as it published it. */
export interface TaskEntry {
  name: string;
  taskQueue: string;
  language: string;
  /** The options it declared, in TaskOptions' shape (durations in milliseconds). */
  options: Record<string, unknown>;
  /** The identity of the worker that published it. */
  worker: string;
  updatedAt: number;
}

/** Publishing options. */
export interface PublishOptions {
  /** Flows of other task queues whose name this queue takes over (their entries become gone). */
  takeOver?: string[];
  /**
   * The publishing repository. Given, the queue must not serve another repository's flows (TaskQueueTakenError),
   * and entries published before repositories were recorded become its own.
   */
  repository?: string;
}

/** What a user or API token may do; each role includes the ones before it. */
export type Role = 'viewer' | 'operator' | 'admin';

/** Every role, least privileged first. */
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

/**
 * What an API token may do: a user's role, or `worker` — a team's worker, which may only use the worker API,
 * for the runs and flows of the task queues the token names. It is no step of the ladder above: a worker token
 * cannot even read.
 */
export type TokenRole = Role | 'worker';

/** Every role an API token can have. */
export const TOKEN_ROLES: readonly TokenRole[] = [...ROLES, 'worker'];

/**
 * An open run a worker's new code could not replay: the run would stop ("waiting for a fix") as soon as that
 * code takes its next step. Found by a starting worker (sdk/src/replay/), kept until its queue's next start.
 *
 * @example
 * { taskQueue: 'hydrology', workflowId: 'rainfall-2024', runId: '0193…', flow: 'rainfall',
 *   reason: '[TMPRL1100] Nondeterminism error: …', foundAt: 1765000000000, worker: '4242@worker-1' }
 */
export interface ReplayFinding {
  taskQueue: string;
  workflowId: string;
  runId: string;
  flow: string;
  reason: string;
  foundAt: number;
  worker: string;
}
