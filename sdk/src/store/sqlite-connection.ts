/**
 * Opens a SQLite file for the store. The worker and the web app open the same file at once: WAL lets
 * them read while the other writes, busy_timeout makes a writer wait for the other instead of failing.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './database';
import { StoreOpenError, StoreSchemaError } from './errors';
import { prepareSchema, type SchemaMode } from './migrate';
import { SQLITE_CONTAINS_FUNCTION, Store } from './store';

/** How long a write waits for another process's write to finish before failing (ms). */
const BUSY_TIMEOUT_MS = 5_000;

/** Opens the file and migrates or checks its schema (`mode`); `migrated`: the migrations this open ran. */
export async function openSqliteStore(path: string, mode: SchemaMode): Promise<{ store: Store; migrated: string[] }> {
  const inMemory = path === ':memory:';
  const file = inMemory ? path : resolve(path);
  let handle: BetterSqlite3.Database;
  try {
    if (!inMemory) mkdirSync(dirname(file), { recursive: true });
    handle = new BetterSqlite3(file);
    handle.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (!inMemory) handle.pragma('journal_mode = WAL');
    // NORMAL is durable across application crashes in WAL mode (only an OS crash can lose the last commits).
    handle.pragma('synchronous = NORMAL');
    handle.pragma('foreign_keys = ON');
  } catch (err) {
    throw new StoreOpenError(
      `Could not open the SQLite store at ${file}: ${(err as Error).message}. ` +
        'Check that the folder is writable (set SLUICE_DATA_DIR to move it) and that the file is a Sluice store.',
      { cause: err },
    );
  }
  handle.function(SQLITE_CONTAINS_FUNCTION, { deterministic: true }, (haystack: unknown, needle: unknown) =>
    typeof haystack === 'string' && typeof needle === 'string' && haystack.toLowerCase().includes(needle) ? 1 : 0,
  );
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: handle }) });
  let migrated: string[];
  try {
    migrated = await prepareSchema(db, { dialect: 'sqlite', where: file, handle, file }, mode);
  } catch (err) {
    await db.destroy();
    if (err instanceof StoreOpenError || err instanceof StoreSchemaError) throw err;
    throw new StoreOpenError(`Could not prepare the SQLite store at ${file}: ${(err as Error).message}`, { cause: err });
  }
  return { store: new Store(db, 'sqlite'), migrated };
}
