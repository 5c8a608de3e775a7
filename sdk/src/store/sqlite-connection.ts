/**
 * Opens a SQLite file for the store. The worker and the web app open the same file at once: WAL lets
 * them read while the other writes, busy_timeout makes a writer wait for the other instead of failing.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase } from 'kysely';
import type { Database } from './database';
import { StoreOpenError, StoreSchemaError } from './errors';
import { isLogInsert } from './log-insert';
import { prepareSchema, type SchemaMode } from './migrate';
import { SQLITE_CONTAINS_FUNCTION, Store } from './store';

/** How long a write waits for another process's write to finish before failing (ms). */
const BUSY_TIMEOUT_MS = 5_000;
/** Log INSERT statements kept prepared: one per row count, and batches come in a few sizes (full, and a last one). */
const KEPT_STATEMENTS = 16;

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
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: keepingLogInserts(handle) }) });
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

/**
 * The file as Kysely sees it, with the log INSERTs' statements kept prepared. Kysely prepares every query anew, and
 * preparing a 2,000-row INSERT cost a third of what running it did (a worker's every batch; `npm run bench -- versus`).
 * Only those: a statement Kysely iterates (a streamed read) must not be handed out twice at once.
 */
function keepingLogInserts(handle: BetterSqlite3.Database): SqliteDatabase {
  const kept = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => handle.close(),
    prepare(sql: string) {
      if (!isLogInsert(sql)) return handle.prepare(sql);
      let statement = kept.get(sql);
      if (!statement) {
        if (kept.size >= KEPT_STATEMENTS) kept.delete(kept.keys().next().value!);
        kept.set(sql, (statement = handle.prepare(sql)));
      }
      return statement;
    },
  };
}
