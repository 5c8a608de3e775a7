/**
 * The store's schema: brought up to date by its owner only (the web app and `sluice migrate`), checked by every
 * other opener (workers, the client, scripts), which work on a store with newer migrations than they know and
 * refuse one missing a migration they need. Migrating is safe when several processes do it at once:
 * PostgreSQL takes Kysely's advisory lock, SQLite a write transaction around the whole migration.
 */
import type { Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { Database as SqliteHandle } from 'better-sqlite3';
import { StoreOpenError, StoreSchemaError } from './errors';
import { migrations, type StoreDialect } from './migrations';
import { SLUICE_VERSION } from '../version';

/** Kysely's bookkeeping tables, named for Sluice so they are recognisable among an operator's tables. */
export const MIGRATION_TABLE = 'sluice_migration';
export const MIGRATION_LOCK_TABLE = 'sluice_migration_lock';

/** SQLite migrations running in this process, by file: a second open of the same file waits for the first. */
const sqliteMigrations = new Map<string, Promise<unknown>>();

/** How an opener treats the schema: bring it up to date (the owner), or only check it has what this version needs. */
export type SchemaMode = 'migrate' | 'check';

export type SchemaTarget = { dialect: 'postgres'; where: string } | { dialect: 'sqlite'; where: string; handle: SqliteHandle; file: string };

/** Migrates or checks the store's schema as `mode` says; returns the migrations this call ran (none when checking). */
export async function prepareSchema(db: Kysely<any>, target: SchemaTarget, mode: SchemaMode): Promise<string[]> {
  if (mode === 'migrate') return migrateToLatest(db, target);
  await requireSchema(db, target.dialect, target.where);
  return [];
}

/** Brings the store's tables up to date; returns the names of the migrations it ran, oldest first. */
export async function migrateToLatest(db: Kysely<any>, target: SchemaTarget): Promise<string[]> {
  if (target.dialect === 'postgres') return runMigrator(db, target.dialect, target.where);

  // Queue behind any open of the same file in this process (registered before the first await): two
  // connections of one process cannot wait for each other's lock, better-sqlite3 would block the thread.
  const previous = sqliteMigrations.get(target.file) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => migrateSqlite(db, target));
  sqliteMigrations.set(target.file, run);
  try {
    return await run;
  } finally {
    if (sqliteMigrations.get(target.file) === run) sqliteMigrations.delete(target.file);
  }
}

async function migrateSqlite(db: Kysely<any>, target: { where: string; handle: SqliteHandle }): Promise<string[]> {
  if (await isUpToDate(db, 'sqlite')) return [];
  // IMMEDIATE takes the write lock now, so another process migrating the same file waits
  // (busy_timeout) and then finds the tables made, instead of racing us to create them.
  target.handle.exec('BEGIN IMMEDIATE');
  try {
    const ran = await runMigrator(db, 'sqlite', target.where);
    target.handle.exec('COMMIT');
    return ran;
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

async function hasMigrationTable(db: Kysely<any>): Promise<boolean> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  return tables.some((t) => t.name === MIGRATION_TABLE);
}

async function isUpToDate(db: Kysely<any>, dialect: StoreDialect): Promise<boolean> {
  if (!(await hasMigrationTable(db))) return false;
  const done = new Set(await appliedMigrations(db));
  const known = Object.keys(migrations(dialect));
  // Exactly the known ones; anything else (missing or unknown) goes through the migrator and its errors.
  return done.size === known.length && known.every((name) => done.has(name));
}

async function runMigrator(db: Kysely<any>, dialect: StoreDialect, where: string): Promise<string[]> {
  const { error, results } = await migrator(db, dialect).migrateToLatest();
  if (!error) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /previously executed migration (\S+) is missing/.exec(message);
  if (unknown) {
    // Only the owner migrates, and it must be the newest Sluice of all (workers may be older, never it).
    throw new StoreOpenError(
      `The store at ${where} was migrated by a newer version of Sluice (it has migration '${unknown[1]}', ` +
        `which sluice ${SLUICE_VERSION} does not know). Migrate it with the newest Sluice only: upgrade the web app (and \`sluice migrate\`) ` +
        'rather than running an older one against it.',
      { cause: error },
    );
  }
  const failed = results?.find((r) => r.status === 'Error')?.migrationName;
  throw new StoreOpenError(
    `Could not migrate the store at ${where}${failed ? ` (migration '${failed}')` : ''}: ${message}`,
    { cause: error },
  );
}

/**
 * Refuses (StoreSchemaError) a store that lacks a migration this version needs; migrations it does not know
 * (a newer web app's) are fine: each one only adds what older code does not read.
 */
async function requireSchema(db: Kysely<any>, dialect: StoreDialect, where: string): Promise<void> {
  const applied = (await hasMigrationTable(db)) ? await appliedMigrations(db) : [];
  const done = new Set(applied);
  const missing = Object.keys(migrations(dialect)).filter((name) => !done.has(name));
  if (missing.length === 0) return;
  const schema = applied.length ? `schema ${applied.at(-1)}` : 'no Sluice tables yet (schema: none)';
  throw new StoreSchemaError(
    `The store at ${where} has ${schema}, but sluice ${SLUICE_VERSION} needs migration${missing.length > 1 ? 's' : ''} ${missing.join(', ')}. ` +
      'Only the web app and `sluice migrate` change the schema: run `sluice migrate` with this DATABASE_URL ' +
      '(or upgrade the web app first and let it start), then start this again.',
  );
}

/** The names of the migrations a store has run, oldest first (for tests and diagnostics). */
export async function appliedMigrations(db: Kysely<any>): Promise<string[]> {
  const rows = await db.selectFrom(MIGRATION_TABLE).select('name').orderBy('name').execute();
  return rows.map((r: { name: string }) => r.name);
}
