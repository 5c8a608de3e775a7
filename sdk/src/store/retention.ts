/**
 * Retention: deletes per-run data older than a cutoff — log lines, tasks' last progress, the notification outbox (events and
 * finished deliveries), old login-failure rows (per email and per address) and old sweep records — in small batches, so writers never
 * wait long: each batch is one short DELETE of at most `batchSize` rows (its own transaction), and the sweep
 * pauses between batches. Any number of processes may sweep the same store at once: on PostgreSQL a batch
 * skips rows another sweep has locked (FOR UPDATE SKIP LOCKED), SQLite runs one write at a time anyway.
 *
 * @example
 * const result = await store.retention.sweep({ olderThan: Date.now() - 30 * 86_400_000 });
 * result.deleted.logs // lines deleted
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './database';
import type { StoreDialect } from './migrations/columns';
import { StoreQueryError } from './errors';

/** The tables a sweep deletes from, in the order it sweeps them. */
export const SWEPT_TABLES = [
  'logs', 'task_progress', 'notification_events', 'notification_deliveries', 'login_failures', 'login_failures_by_address', 'retention_sweeps',
] as const;
export type SweptTable = (typeof SWEPT_TABLES)[number];

export interface SweepOptions {
  /** Rows older than this (epoch ms or a Date) are deleted. */
  olderThan: number | Date;
  /** Rows per DELETE; default 1000. */
  batchSize?: number;
  /** Pause between batches so other writers get the database; default 20 ms. */
  pauseMs?: number;
  /** Who swept, recorded with the result for the admin page; default "this process". */
  sweptBy?: string;
  /** Called after each batch has committed (progress). */
  onBatch?: (table: SweptTable, deleted: number) => void | Promise<void>;
}

export interface SweepResult {
  startedAt: number;
  finishedAt: number;
  olderThan: number;
  /** Rows deleted per table. */
  deleted: Record<SweptTable, number>;
  sweptBy: string;
}

const DEFAULT_BATCH = 1_000;
const DEFAULT_PAUSE_MS = 20;
const MAX_BATCH = 50_000;

/** How one table's old rows are found: its key, its time column, and which old rows must stay. */
interface SweepRule {
  key: string;
  time: string;
  /** Old rows that must stay anyway (e.g. an outbox message still to send). */
  keep?: (cutoff: number) => ReturnType<typeof sql>;
}

/** A lock-out row whose lock has not run out by the cutoff: a sweep must not lift a lock. */
const stillLocked = (cutoff: number) => sql`locked_until is not null and locked_until >= ${cutoff}`;

const RULES: Record<SweptTable, SweepRule> = {
  logs: { key: 'id', time: 'time' },
  task_progress: { key: 'id', time: 'time' },
  // An event still attached to a message waiting to be sent stays until that message is sent or given up.
  notification_events: {
    key: 'id',
    time: 'recorded_at',
    keep: () => sql`delivery_id is not null and delivery_id in (select id from notification_deliveries where status in ('pending', 'retrying'))`,
  },
  // Only finished messages (sent, or failed for good); one still retrying is the outbox at work.
  notification_deliveries: { key: 'id', time: 'updated_at', keep: () => sql`status in ('pending', 'retrying')` },
  // The lock-out tables (web/lib/auth/lockout.ts): one row per email and one per client address, counting
  // failures within a 15-minute window; a row not touched for the retention period counts for nothing,
  // unless it still holds a lock (never, with a 15-minute lock, but a lock must not be lifted by a sweep).
  login_failures: { key: 'email', time: 'updated_at', keep: stillLocked },
  login_failures_by_address: { key: 'address', time: 'updated_at', keep: stillLocked },
  retention_sweeps: { key: 'id', time: 'finished_at' },
};

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class StoreRetention {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: StoreDialect,
  ) {}

  /**
   * Deletes every row of the swept tables older than `olderThan`, batch by batch, and records the result
   * (see `recentSweeps`). Throws StoreQueryError for a cutoff or batch size it cannot use.
   *
   * @example
   * await store.retention.sweep({ olderThan: new Date(Date.now() - 30 * 86_400_000), batchSize: 500 });
   */
  async sweep(options: SweepOptions): Promise<SweepResult> {
    const olderThan = options.olderThan instanceof Date ? options.olderThan.getTime() : options.olderThan;
    if (!Number.isFinite(olderThan)) throw new StoreQueryError(`retention.sweep: olderThan must be a time (epoch ms or a Date), got ${String(options.olderThan)}.`);
    const batchSize = options.batchSize ?? DEFAULT_BATCH;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH) {
      throw new StoreQueryError(`retention.sweep: batchSize must be a whole number from 1 to ${MAX_BATCH}, got ${String(options.batchSize)}.`);
    }
    const pauseMs = options.pauseMs ?? DEFAULT_PAUSE_MS;
    const startedAt = Date.now();
    const deleted = Object.fromEntries(SWEPT_TABLES.map((t) => [t, 0])) as Record<SweptTable, number>;
    for (const table of SWEPT_TABLES) {
      for (;;) {
        const n = await this.deleteBatch(table, Math.trunc(olderThan), batchSize);
        deleted[table] += n;
        if (n > 0) await options.onBatch?.(table, n);
        if (n < batchSize) break;
        // Between batches nothing is held: other writers (and other sweeps) go ahead.
        await pause(pauseMs);
      }
    }
    const result: SweepResult = { startedAt, finishedAt: Date.now(), olderThan: Math.trunc(olderThan), deleted, sweptBy: options.sweptBy ?? 'this process' };
    await this.db
      .insertInto('retention_sweeps')
      .values({ started_at: result.startedAt, finished_at: result.finishedAt, older_than: result.olderThan, deleted: JSON.stringify(deleted), swept_by: result.sweptBy })
      .execute();
    return result;
  }

  /** The last sweeps of any process, newest first (the admin page's "last sweep"). */
  async recentSweeps(limit = 5): Promise<SweepResult[]> {
    const rows = await this.db.selectFrom('retention_sweeps').selectAll().orderBy('finished_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({
      startedAt: Number(r.started_at),
      finishedAt: Number(r.finished_at),
      olderThan: Number(r.older_than),
      deleted: { ...Object.fromEntries(SWEPT_TABLES.map((t) => [t, 0])), ...(JSON.parse(r.deleted) as Partial<Record<SweptTable, number>>) } as Record<SweptTable, number>,
      sweptBy: r.swept_by,
    }));
  }

  /**
   * One batch: `delete … where key in (select key … where time < cutoff limit n)`, a single statement and so a
   * single short transaction. On PostgreSQL the inner select locks the rows it picks and skips rows locked by
   * another sweep, so concurrent sweeps take disjoint batches instead of waiting on (or deadlocking with) each other.
   */
  private async deleteBatch(table: SweptTable, cutoff: number, batchSize: number): Promise<number> {
    const rule = RULES[table];
    const keep = rule.keep ? sql` and not (${rule.keep(cutoff)})` : sql``;
    const lock = this.dialect === 'postgres' ? sql` for update skip locked` : sql``;
    const result = await sql`
      delete from ${sql.table(table)} where ${sql.ref(rule.key)} in (
        select ${sql.ref(rule.key)} from ${sql.table(table)} where ${sql.ref(rule.time)} < ${cutoff}${keep} limit ${batchSize}${lock}
      )`.execute(this.db);
    return Number(result.numAffectedRows ?? 0);
  }
}
