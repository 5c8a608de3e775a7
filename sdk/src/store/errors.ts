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
