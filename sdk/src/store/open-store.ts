/** Opening the store: pick the database from the URL, connect, migrate. */
import type { Store } from './store';
import { parseStoreUrl, storeUrlFromEnv } from './store-url';

/**
 * Opens (and migrates) the store at `url`: `postgres://…`, `sqlite:PATH` or a file path; by default the
 * one the environment names (`storeUrlFromEnv`). A SQLite file's folder is created if missing.
 * Throws `StoreUrlError` for a URL it cannot use and `StoreOpenError` when the database cannot be opened.
 *
 * @example
 * const store = await openStore();               // DATABASE_URL, else ./data/sluice.db
 * const local = await openStore('sqlite:/tmp/sluice.db');
 */
export async function openStore(url: string = storeUrlFromEnv()): Promise<Store> {
  const location = parseStoreUrl(url);
  // A driver is loaded only for its database: every worker and the web app hold one, and the other would cost
  // them memory for nothing.
  if (location.dialect === 'postgres') return (await import('./postgres-connection.js')).openPostgresStore(location.connectionString);
  return (await import('./sqlite-connection.js')).openSqliteStore(location.path);
}
