/**
 * Retention: deletes per-run data older than a cutoff — log lines and artifacts, tasks' last progress, the notification outbox (events and
 * finished deliveries), old login-failure rows (per email and per address) and old sweep records — in small batches, so writers never
 * wait long: each batch is one short DELETE of at most `batchSize` rows (its own transaction), and the sweep
 * pauses between batches. A log line goes only once its run has gone too: the sweep asks `runsKept` (Temporal,
 * in the web app) about the runs of each batch of old lines, and keeps the lines of runs still open or still kept. Any number of processes may sweep the same store at once: on PostgreSQL a batch
 * skips rows another sweep has locked (FOR UPDATE SKIP LOCKED), SQLite runs one write at a time anyway.
 *
 * @example
 * const result = await store.retention.sweep({ olderThan: Date.now() - 30 * 86_400_000, runsKept: (ids) => runsTemporalKeeps(client, ids) });
 * result.deleted.logs // lines deleted
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './database';
import type { StoreDialect } from './migrations/columns';
import { StoreQueryError } from './errors';

/** The tables a sweep deletes from, in the order it sweeps them. */
export const SWEPT_TABLES = [
  'logs', 'artifacts', 'task_progress', 'notification_events', 'notification_deliveries', 'login_failures', 'login_failures_by_address', 'retention_sweeps',
] as const;
export type SweptTable = (typeof SWEPT_TABLES)[number];

export interface SweepOptions {
  /** Rows older than this (epoch ms or a Date) are deleted. */
  olderThan: number | Date;
  /**
   * Of the given run ids, those whose log lines must stay although old: runs still open, or closed runs Temporal
   * still keeps (`runsTemporalKeeps` from sluice/temporal). Asked once per batch of old lines with the batch's
   * runs not asked about yet in this sweep — never once per line. A rejection stops the sweep (nothing is
   * deleted on a guess).
   */
  runsKept: (runIds: string[]) => Promise<ReadonlySet<string>>;
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
// A batch of log lines is deleted by id: 10,000 ids stay well inside SQLite's 32,766 parameters.
const MAX_BATCH = 10_000;

/** How one table's old rows are found: its key, its time column, and which old rows must stay. */
interface SweepRule {
  /** The primary key: one column, or the columns of a composite key. */
  key: string | string[];
  time: string;
  /** Old rows that must stay anyway (e.g. an outbox message still to send). */
  keep?: (cutoff: number) => ReturnType<typeof sql>;
}

/** A lock-out row whose lock has not run out by the cutoff: a sweep must not lift a lock. */
const stillLocked = (cutoff: number) => sql`locked_until is not null and locked_until >= ${cutoff}`;

/** Tables whose old rows go only once their run has gone too (asked of `runsKept`). */
type RunTable = 'logs' | 'artifacts';
const isRunTable = (t: SweptTable): t is RunTable => t === 'logs' || t === 'artifacts';

const RULES: Record<Exclude<SweptTable, RunTable>, SweepRule> = {
  task_progress: { key: 'id', time: 'time' },
  // An event still attached to a message waiting to be sent stays until that message is sent or given up.
  notification_events: {
    key: 'id',
    time: 'recorded_at',
    keep: () => sql`delivery_id is not null and delivery_id in (select id from notification_deliveries where status in ('pending', 'retrying'))`,
  },
  // Only finished messages (sent, or failed for good); one still retrying is the outbox at work.
  notification_deliveries: { key: 'id', time: 'updated_at', keep: () => sql`status in ('pending', 'retrying')` },
  // The lock-out tables (web/lib/auth/lockout.ts): one row per (email, client address) and one per address, counting
  // failures within a 15-minute window; a row not touched for the retention period counts for nothing,
  // unless it still holds a lock (never, with a 15-minute lock, but a lock must not be lifted by a sweep).
  login_failures: { key: ['email', 'address'], time: 'updated_at', keep: stillLocked },
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
    // Runs asked about once per sweep: an artifact goes when its run's lines go.
    const kept = new Map<string, boolean>();
    for (const table of ['logs', 'artifacts'] as const) deleted[table] = await this.sweepRunRows(table, Math.trunc(olderThan), batchSize, pauseMs, options, kept);
    for (const table of SWEPT_TABLES) {
      if (isRunTable(table)) continue;
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
   * Log lines (or artifacts) older than the cutoff whose run is gone. Walks the old rows oldest first (the index on time),
   * `batchSize` at a time, remembering where it stopped, so rows that stay (an open run's) are read once per
   * sweep and never block the rows behind them. Each run is asked about once per sweep (`kept`), in one call per batch.
   */
  private async sweepRunRows(table: RunTable, cutoff: number, batchSize: number, pauseMs: number, options: SweepOptions, kept: Map<string, boolean>): Promise<number> {
    let after: { time: number; id: number } | undefined;
    let deleted = 0;
    for (;;) {
      const batch = await this.db
        .selectFrom(table)
        .select(['id', 'time', 'run_id'])
        .where('time', '<', cutoff)
        .$if(after !== undefined, (q) => q.where((eb) => eb.or([eb('time', '>', after!.time), eb.and([eb('time', '=', after!.time), eb('id', '>', after!.id)])])))
        .orderBy('time')
        .orderBy('id')
        .limit(batchSize)
        .execute();
      if (batch.length === 0) break;
      const unasked = [...new Set(batch.map((l) => l.run_id).filter((id) => !kept.has(id)))];
      if (unasked.length) {
        const keep = await options.runsKept(unasked);
        for (const id of unasked) kept.set(id, keep.has(id));
      }
      const gone = batch.filter((l) => !kept.get(l.run_id)).map((l) => Number(l.id));
      const n = gone.length ? await this.deleteByIds(table, gone) : 0;
      deleted += n;
      if (n > 0) await options.onBatch?.(table, n);
      if (batch.length < batchSize) break;
      const last = batch.at(-1)!;
      after = { time: Number(last.time), id: Number(last.id) };
      await pause(pauseMs);
    }
    return deleted;
  }

  /** Deletes these rows (at most one batch of ids, so the parameters stay far below either database's limit). */
  private async deleteByIds(table: RunTable, ids: number[]): Promise<number> {
    // On PostgreSQL, rows another sweep is deleting are skipped rather than waited on (no deadlock between sweeps).
    const t = sql.table(table);
    const result = this.dialect === 'postgres'
      ? await sql`delete from ${t} where id in (select id from ${t} where id in (${sql.join(ids)}) for update skip locked)`.execute(this.db)
      : await sql`delete from ${t} where id in (${sql.join(ids)})`.execute(this.db);
    return Number(result.numAffectedRows ?? 0);
  }

  /**
   * One batch: `delete … where key in (select key … where time < cutoff limit n)` (a composite key as a row value,
   * `(a, b) in (select a, b …)`, which SQLite and PostgreSQL both take), a single statement and so a
   * single short transaction. On PostgreSQL the inner select locks the rows it picks and skips rows locked by
   * another sweep, so concurrent sweeps take disjoint batches instead of waiting on (or deadlocking with) each other.
   */
  private async deleteBatch(table: Exclude<SweptTable, RunTable>, cutoff: number, batchSize: number): Promise<number> {
    const rule = RULES[table];
    const keep = rule.keep ? sql` and not (${rule.keep(cutoff)})` : sql``;
    const lock = this.dialect === 'postgres' ? sql` for update skip locked` : sql``;
    const columns = (typeof rule.key === 'string' ? [rule.key] : rule.key).map((c) => sql.ref(c));
    const key = sql.join(columns);
    const result = await sql`
      delete from ${sql.table(table)} where (${key}) in (
        select ${key} from ${sql.table(table)} where ${sql.ref(rule.time)} < ${cutoff}${keep} limit ${batchSize}${lock}
      )`.execute(this.db);
    return Number(result.numAffectedRows ?? 0);
  }
}
