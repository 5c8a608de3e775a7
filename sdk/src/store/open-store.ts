/** Opening the store: pick the database from the URL, connect, then migrate (the owner) or check the schema. */
import { resolve } from 'node:path';
import { appliedMigrations } from './migrate';
import type { SchemaMode } from './migrate';
import type { Store } from './store';
import { parseStoreUrl, redactUrl, storeUrlFromEnv } from './store-url';

export interface OpenStoreOptions {
  /**
   * Bring the schema up to date (true) — for the store's owner only: the web app, `sluice migrate`, `npm start`
   * and tests' throwaway stores. Default false: check that the store has every migration this version needs
   * (newer ones it does not know are fine) and throw `StoreSchemaError` naming what to run when it does not.
   */
  migrate?: boolean;
}

/**
 * Opens the store at `url`: `postgres://…`, `sqlite:PATH` or a file path; by default the one the environment
 * names (`storeUrlFromEnv`). A SQLite file's folder is created if missing. Throws `StoreUrlError` for a URL it
 * cannot use, `StoreOpenError` when the database cannot be opened (or migrated), `StoreSchemaError` when it
 * lacks a migration this version needs and `migrate` is not set.
 *
 * @example
 * const store = await openStore();               // DATABASE_URL, else ./data/sluice.db; checked, not migrated
 * const owned = await openStore('sqlite:/tmp/sluice.db', { migrate: true });
 */
export async function openStore(url: string = storeUrlFromEnv(), options: OpenStoreOptions = {}): Promise<Store> {
  return (await open(url, options.migrate ? 'migrate' : 'check')).store;
}

export interface MigrateResult {
  /** Where the store is (its URL without a password). */
  where: string;
  /** The migrations this call ran, oldest first; empty when the store was up to date. */
  migrated: string[];
  /** Every migration the store has now, oldest first (its last one names the schema). */
  applied: string[];
}

/**
 * Brings the store at `url` up to date and closes it: what `sluice migrate` and `npm start` run before any
 * worker starts. Throws as `openStore` does.
 *
 * @example const { migrated } = await migrateStore(storeUrlFromEnv());
 */
export async function migrateStore(url: string = storeUrlFromEnv()): Promise<MigrateResult> {
  const { store, migrated } = await open(url, 'migrate');
  const location = parseStoreUrl(url);
  try {
    // Named as the store's errors name it: the file's absolute path, or the URL without its password.
    const where = location.dialect === 'sqlite' ? resolve(location.path) : redactUrl(location.connectionString);
    return { where, migrated, applied: await appliedMigrations(store.db) };
  } finally {
    await store.close();
  }
}

async function open(url: string, mode: SchemaMode): Promise<{ store: Store; migrated: string[] }> {
  const location = parseStoreUrl(url);
  // A driver is loaded only for its database: every worker and the web app hold one, and the other would cost
  // them memory for nothing.
  if (location.dialect === 'postgres') return (await import('./postgres-connection.js')).openPostgresStore(location.connectionString, mode);
  return (await import('./sqlite-connection.js')).openSqliteStore(location.path, mode);
}
