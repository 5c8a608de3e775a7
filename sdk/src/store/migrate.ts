/**
 * Brings a store's tables up to date; `openStore` runs it every time. Safe when several processes open
 * the same store at once (the worker and the web app): PostgreSQL takes Kysely's advisory lock, SQLite
 * a write transaction around the whole migration.
 */
import type { Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { Database as SqliteHandle } from 'better-sqlite3';
import { StoreOpenError } from './errors';
import { migrations, type StoreDialect } from './migrations';

/** Kysely's bookkeeping tables, named for Sluice so they are recognisable among an operator's tables. */
export const MIGRATION_TABLE = 'sluice_migration';
export const MIGRATION_LOCK_TABLE = 'sluice_migration_lock';

/** SQLite migrations running in this process, by file: a second open of the same file waits for the first. */
const sqliteMigrations = new Map<string, Promise<void>>();

export async function migrateToLatest(
  db: Kysely<any>,
  target: { dialect: 'postgres'; where: string } | { dialect: 'sqlite'; where: string; handle: SqliteHandle; file: string },
): Promise<void> {
  if (target.dialect === 'postgres') return runMigrator(db, target.dialect, target.where);

  // Queue behind any open of the same file in this process (registered before the first await): two
  // connections of one process cannot wait for each other's lock, better-sqlite3 would block the thread.
  const previous = sqliteMigrations.get(target.file) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => migrateSqlite(db, target));
  sqliteMigrations.set(target.file, run);
  try {
    await run;
  } finally {
    if (sqliteMigrations.get(target.file) === run) sqliteMigrations.delete(target.file);
  }
}

async function migrateSqlite(db: Kysely<any>, target: { where: string; handle: SqliteHandle }): Promise<void> {
  if (await isUpToDate(db, 'sqlite')) return;
  // IMMEDIATE takes the write lock now, so another process migrating the same file waits
  // (busy_timeout) and then finds the tables made, instead of racing us to create them.
  target.handle.exec('BEGIN IMMEDIATE');
  try {
    await runMigrator(db, 'sqlite', target.where);
    target.handle.exec('COMMIT');
  } catch (err) {
    if (target.handle.inTransaction) target.handle.exec('ROLLBACK');
    throw err;
  }
}

function migrator(db: Kysely<any>, dialect: StoreDialect): Migrator {
  const all = migrations(dialect);
  return new Migrator({
    db,
    provider: { getMigrations: async () => all },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
}

async function isUpToDate(db: Kysely<any>, dialect: StoreDialect): Promise<boolean> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((t) => t.name === MIGRATION_TABLE)) return false;
  const done = new Set(await appliedMigrations(db));
  const known = Object.keys(migrations(dialect));
  // Exactly the known ones; anything else (missing or unknown) goes through the migrator and its errors.
  return done.size === known.length && known.every((name) => done.has(name));
}

async function runMigrator(db: Kysely<any>, dialect: StoreDialect, where: string): Promise<void> {
  const { error, results } = await migrator(db, dialect).migrateToLatest();
  if (!error) return;
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /previously executed migration (\S+) is missing/.exec(message);
  if (unknown) {
    throw new StoreOpenError(
      `The store at ${where} was migrated by a newer version of Sluice (it has migration '${unknown[1]}', ` +
        'which this version does not know). Run the same Sluice version in every process that opens this store.',
      { cause: error },
    );
  }
  const failed = results?.find((r) => r.status === 'Error')?.migrationName;
  throw new StoreOpenError(
    `Could not migrate the store at ${where}${failed ? ` (migration '${failed}')` : ''}: ${message}`,
    { cause: error },
  );
}

/** The names of the migrations a store has run, oldest first (for tests and diagnostics). */
export async function appliedMigrations(db: Kysely<any>): Promise<string[]> {
  const rows = await db.selectFrom(MIGRATION_TABLE).select('name').orderBy('name').execute();
  return rows.map((r: { name: string }) => r.name);
}
