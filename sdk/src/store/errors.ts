/** Errors the store throws for things a user or operator can fix; each message says what to do. */
import { SluiceError } from '../errors';

/** Thrown by `openStore` / `parseStoreUrl` when the store URL (usually DATABASE_URL) is not one Sluice can use. */
export class StoreUrlError extends SluiceError {
  static override readonly code = 'invalid_store_url';

  override name = 'StoreUrlError';
}

/** Thrown by `openStore` when the database cannot be reached, opened or migrated. */
export class StoreOpenError extends SluiceError {
  static override readonly code = 'store_open_failed';
  static override readonly kind = 'unavailable';

  override name = 'StoreOpenError';
}

/**
 * Thrown by `openStore` when the store lacks a migration this version of Sluice needs (or has no tables yet):
 * only the web app and `sluice migrate` change the schema. The message names the store's schema, this
 * version and what to run. Not "unavailable": trying again changes nothing until someone migrates.
 */
export class StoreSchemaError extends SluiceError {
  static override readonly code = 'store_schema_outdated';

  override name = 'StoreSchemaError';
}

/**
 * Thrown when the store stops answering while in use (PostgreSQL stopped or unreachable, the SQLite file
 * unreadable), for a caller to say "try again shortly" rather than fail. See also {@link isStoreUnavailable}.
 */
export class StoreUnavailableError extends SluiceError {
  static override readonly code = 'store_unavailable';
  static override readonly kind = 'unavailable';

  override name = 'StoreUnavailableError';
}

// Node's network errors: the server is not there (any more), or does not answer.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
// PostgreSQL's SQLSTATEs for a lost or refused connection: class 08, shutdown (57P01-57P03), no slots (53300).
const POSTGRES_DOWN = /^(08...|57P0[123]|53300)$/;
// pg's own words when a connection breaks or cannot be made in time (these errors carry no code).
const PG_DOWN_MESSAGE = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;
// SQLite's answers for a file it cannot read or write now (locked, gone, unreadable, full), not for a bad query.
const SQLITE_DOWN = /^SQLITE_(BUSY|LOCKED|IOERR|CORRUPT|NOTADB|CANTOPEN|FULL|READONLY|PERM|PROTOCOL|NOLFS)/;

/**
 * Whether `err` (or an error it wraps, through `cause`) means the store is not answering — opening it failed, its
 * server is down or unreachable, its file unreadable — rather than a bug or a bad query.
 *
 * @example if (isStoreUnavailable(err)) return apiError('unavailable', 'The store is not answering; try again shortly.');
 */
export function isStoreUnavailable(err: unknown): boolean {
  for (let at = err as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown } | undefined, hops = 0; at && hops < 5; at = at.cause as typeof at, hops++) {
    if (at instanceof StoreOpenError || at instanceof StoreUnavailableError) return true;
    const code = typeof at.code === 'string' ? at.code : '';
    if (NETWORK_CODES.has(code) || POSTGRES_DOWN.test(code) || SQLITE_DOWN.test(code)) return true;
    if (typeof at.message === 'string' && PG_DOWN_MESSAGE.test(at.message)) return true;
    // Node's connect to a host with several addresses (localhost: ::1 and 127.0.0.1) fails with all of them.
    if (at instanceof AggregateError && at.errors.some(isStoreUnavailable)) return true;
  }
  return false;
}

/** Thrown by `Store.readLogs` for a query it cannot run (missing runId, bad limit or level). */
export class StoreQueryError extends SluiceError {
  static override readonly code = 'invalid_log_query';
  static override readonly kind = 'bad_request';

  override name = 'StoreQueryError';
}

/** A flow name another task queue serves, as the worker of `taskQueue` found it at start-up. */
export interface FlowNameClash {
  flow: string;
  /** The task queue that asked for the name. */
  taskQueue: string;
  /** The task queue that serves it. */
  servedBy: string;
  /**
   * The other repository that declares it (null: published before repositories were recorded); absent when it
   * is this worker's own repository, whose worker on `servedBy` still runs.
   */
  repository?: string | null;
  /** Whether a worker polls `servedBy` now; default true. */
  live?: boolean;
}

/**
 * Thrown when a worker declares a flow name that another live task queue serves, or that another repository
 * declares (`sluice worker` exits 1 with this message; nothing was published or synced). Flow names are unique
 * across every repository sharing a store.
 */
export class FlowNameTakenError extends SluiceError {
  static override readonly code = 'flow_name_taken';
  static override readonly kind = 'conflict';

  override name = 'FlowNameTakenError';
  constructor(readonly clashes: FlowNameClash[]) {
    const lines = clashes.map((c) => {
      const running = c.live === false ? ' (no worker polls it now)' : ', which has a running worker';
      if (c.repository === undefined) return `flow ${c.flow} is served by task queue ${c.servedBy}${running}; task queue ${c.taskQueue} cannot serve it too`;
      return `flow ${c.flow} is declared by ${repositoryName(c.repository)} on task queue ${c.servedBy}${running}; this repository cannot declare it too`;
    });
    const ownQueues = [...new Set(clashes.filter((c) => c.repository === undefined).map((c) => c.servedBy))];
    const others = [...new Set(clashes.filter((c) => c.repository !== undefined).map((c) => repositoryName(c.repository!)))];
    const ways = [
      ...(ownQueues.length
        ? [`stop the worker of task queue ${ownQueues.join(', ')} first: a minute or so after it stopped, starting this worker again moves its flows and schedules to this queue`]
        : []),
      ...(others.length ? [`if the flow moved here, delete it from ${others.join(', ')} and start that worker again (it marks the flow gone), then this one`] : []),
    ];
    super(
      `The worker cannot start: ${lines.join('; ')}. Flow names are unique across the repositories that share this Sluice: ` +
        `rename the flow (its export name in the workflows module), or ${ways.join('; or ')}.`,
    );
  }
}

/** A task queue serving another repository's flows, as the worker of `repository` found it at start-up. */
export interface TaskQueueClash {
  taskQueue: string;
  /** The repository that asked for the queue. */
  repository: string;
  /** The repository whose flows the queue serves (null: published before repositories were recorded). */
  servedFor: string | null;
  /** Those flows. */
  flows: string[];
}

/**
 * Thrown when a worker starts on a task queue that serves another repository's flows (`sluice worker` exits 1;
 * nothing was published or synced): sharing it, the worker would take that repository's runs and tasks, and
 * retire its flows and schedules. Each repository has a task queue of its own.
 */
export class TaskQueueTakenError extends SluiceError {
  static override readonly code = 'task_queue_taken';
  static override readonly kind = 'conflict';

  override name = 'TaskQueueTakenError';
  constructor(readonly clash: TaskQueueClash) {
    const { taskQueue, repository, servedFor, flows } = clash;
    super(
      `The worker cannot start: task queue ${taskQueue} serves the flows of ${repositoryName(servedFor)} (${flows.join(', ')}), ` +
        `and repository ${repository} cannot share it: its worker would take their runs and retire them. Give this repository ` +
        'a task queue of its own: "sluice": { "taskQueue": "NAME" } in its package.json (`sluice new` writes it), or SLUICE_TASK_QUEUE / --task-queue.',
    );
  }
}

function repositoryName(repository: string | null): string {
  return repository === null ? 'another repository (its worker published them before Sluice recorded repositories)' : `repository ${repository}`;
}
