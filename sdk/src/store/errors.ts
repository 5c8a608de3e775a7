/** Errors the store throws for things a user or operator can fix; each message says what to do. */

/** Thrown by `openStore` / `parseStoreUrl` when the store URL (usually DATABASE_URL) is not one Sluice can use. */
export class StoreUrlError extends Error {
  override name = 'StoreUrlError';
}

/** Thrown by `openStore` when the database cannot be reached, opened or migrated. */
export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
}

/** Thrown by `Store.readLogs` for a query it cannot run (missing runId, bad limit or level). */
export class StoreQueryError extends Error {
  override name = 'StoreQueryError';
}

/** A flow name another task queue serves, as the worker of `taskQueue` found it at start-up. */
export interface FlowNameClash {
  flow: string;
  /** The task queue that asked for the name. */
  taskQueue: string;
  /** The task queue that serves it, with a worker polling. */
  servedBy: string;
}

/**
 * Thrown when a worker declares a flow name that another live task queue serves (`sluice worker` exits 1 with
 * this message; nothing was published or synced). Flow names are unique across every repository sharing a store.
 */
export class FlowNameTakenError extends Error {
  override name = 'FlowNameTakenError';
  constructor(readonly clashes: FlowNameClash[]) {
    const lines = clashes.map((c) => `flow ${c.flow} is served by task queue ${c.servedBy}, which has a running worker; task queue ${c.taskQueue} cannot serve it too`);
    const others = [...new Set(clashes.map((c) => c.servedBy))].join(', ');
    super(
      `The worker cannot start: ${lines.join('; ')}. Flow names are unique across the repositories that share this Sluice: ` +
        `rename the flow (its export name in the workflows module), or stop the worker of task queue ${others} first: ` +
        'a minute or so after it stopped, starting this worker again moves its flows and schedules to this queue.',
    );
  }
}
