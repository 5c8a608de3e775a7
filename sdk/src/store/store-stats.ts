/**
 * What an admin sees of the store: its kind, its size, how many rows its main tables hold and how old its
 * oldest log line is (which shows whether retention keeps up).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './database';
import type { StoreDialect } from './migrations/columns';

/** The tables counted, the ones that grow with use. */
export const COUNTED_TABLES = ['logs', 'notification_events', 'notification_deliveries', 'login_failures', 'flows', 'users', 'api_tokens'] as const;
export type CountedTable = (typeof COUNTED_TABLES)[number];

export interface StoreStats {
  dialect: StoreDialect;
  /**
   * Bytes the database takes: SQLite's pages (page_count × page_size), PostgreSQL's pg_database_size. Deleting
   * rows does not shrink it; the space is reused for new rows.
   */
  sizeBytes: number;
  /** SQLite's free pages in bytes (space deleted rows left for reuse); null on PostgreSQL. */
  freeBytes: number | null;
  rows: Record<CountedTable, number>;
  /** Epoch ms of the oldest log line; null when there is none. */
  oldestLogTime: number | null;
}

export async function readStoreStats(db: Kysely<Database>, dialect: StoreDialect): Promise<StoreStats> {
  const rows = {} as Record<CountedTable, number>;
  for (const table of COUNTED_TABLES) {
    const row = await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    rows[table] = Number(row.n);
  }
  // min(time) reads one end of the logs_time index.
  const oldest = await db.selectFrom('logs').select((eb) => eb.fn.min('time').as('t')).executeTakeFirst();
  const oldestLogTime = oldest?.t == null ? null : Number(oldest.t);
  if (dialect === 'sqlite') {
    const { rows: [size] } = await sql<{ size: number; free: number }>`
      select p.page_count * s.page_size as size, f.freelist_count * s.page_size as free
      from pragma_page_count() p, pragma_page_size() s, pragma_freelist_count() f`.execute(db);
    return { dialect, sizeBytes: Number(size!.size), freeBytes: Number(size!.free), rows, oldestLogTime };
  }
  const { rows: [size] } = await sql<{ size: number }>`select pg_database_size(current_database()) as size`.execute(db);
  return { dialect, sizeBytes: Number(size!.size), freeBytes: null, rows, oldestLogTime };
}
