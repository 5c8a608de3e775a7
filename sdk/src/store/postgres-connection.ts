/**
 * Opens a PostgreSQL database for the store, through a small pool shared by every query of this process.
 */
import { escapeLiteral, Pool, types as pgTypes } from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from './database';
import { StoreOpenError, StoreSchemaError } from './errors';
import { prepareSchema, type SchemaMode } from './migrate';
import type { SimpleQueries } from './settled-read';
import { Store } from './store';
import { redactUrl } from './store-url';

/**
 * bigint columns (ids, epoch-ms times, counts) come back as numbers, as they do from SQLite, so callers
 * see one shape. Safe: epoch ms and row counts stay far below 2^53. Set per pool, not process-wide.
 */
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pgTypes.builtins.INT8 && format !== 'binary') return (value: string) => Number(value);
    return pgTypes.getTypeParser(oid, format as 'text');
  },
};

/**
 * The server ends a session of Sluice's that sits in an open transaction this long (a process stuck between a
 * transaction's statements, a connection that went silent): its locks go with it, so a stuck log writer holds
 * back its own runs' tails for at most this long (see Store.insertLogsIn). No transaction of Sluice's waits on
 * anything but the database between its statements. Statement and lock timeouts are set per transaction where
 * they are safe (log writes), not here: migrations and retention sweeps may rightly run or wait longer.
 */
export const IDLE_IN_TRANSACTION_TIMEOUT_MS = 15_000;

/** Connects and migrates or checks the schema (`mode`); `migrated`: the migrations this open ran. */
export async function openPostgresStore(connectionString: string, mode: SchemaMode): Promise<{ store: Store; migrated: string[] }> {
  const where = redactUrl(connectionString);
  const pool = new Pool({
    connectionString,
    max: 10,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'sluice',
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
    // Notice a dead peer (host gone, no RST) instead of waiting on it for the OS default of hours.
    keepAlive: true,
    types: typeParsers,
  });
  // An idle connection dropped by the server (restart, failover) is an 'error' on the pool; without a
  // listener Node would crash the process. The pool discards that connection and the next query opens a
  // new one, so there is nothing else to do; a failing query still rejects to its caller.
  pool.on('error', () => undefined);
  // Same for a connection that is checked out (inside a transaction) when the server goes away: pg emits
  // 'error' on the client, which has no listener then. The query in flight is rejected anyway, and the
  // pool discards the dead connection on release.
  pool.on('connect', (client) => client.on('error', () => undefined));

  try {
    await pool.query('select 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new StoreOpenError(
      `Could not connect to the log store at ${where}: ${(err as Error).message}. ` +
        'Is PostgreSQL running and reachable, and are the user, password and database in DATABASE_URL right?',
      { cause: err },
    );
  }

  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let searchCollation: string | undefined;
  let migrated: string[];
  try {
    migrated = await prepareSchema(db, { dialect: 'postgres', where }, mode);
    searchCollation = await unicodeCollation(pool);
  } catch (err) {
    await db.destroy();
    if (err instanceof StoreOpenError || err instanceof StoreSchemaError) throw err;
    throw new StoreOpenError(`Could not prepare the log store at ${where}: ${(err as Error).message}`, { cause: err });
  }
  const simpleQueries: SimpleQueries = {
    // pg returns one result per statement when a text without parameters holds several.
    run: async (text) => (await pool.query(text)) as unknown as { rows: Record<string, unknown>[] }[],
    literal: escapeLiteral,
  };
  return { store: new Store(db, 'postgres', { searchCollation, simpleQueries }), migrated };
}

/**
 * ICU's root collation when the server has it, so search folds case beyond ASCII (Ü/ü) even in a
 * database created with the C locale, as in many containers; else the database's own (undefined).
 */
async function unicodeCollation(pool: Pool): Promise<string | undefined> {
  const { rows } = await pool.query("select 1 from pg_collation where collname = 'und-x-icu' limit 1");
  return rows.length > 0 ? 'und-x-icu' : undefined;
}
