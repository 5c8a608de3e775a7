/**
 * Sluice's store: log lines and the flow catalog (plus the users and token tables the web app works on
 * through `db`). The same code runs on SQLite and PostgreSQL; open it with `openStore`.
 */
import { sql, type Expression, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { Database } from './database';
import { StoreQueryError } from './errors';
import { fromJsonText, toJsonText } from './json-text';
import { insertLogsQuery } from './log-insert';
import { fromLogRow } from './log-rows';
import { LOG_LEVELS, levelsFrom, type FlowEntry, type LogQuery, type LogRecord, type StoredLog } from './types';

export type StoreDialect = 'sqlite' | 'postgres';

/** Lines per INSERT: as many as fit under each database's limit of bound parameters (10 per line). */
const INSERT_CHUNK: Record<StoreDialect, number> = { sqlite: 2_000, postgres: 5_000 };
const DEFAULT_LIMIT = 500;
/** The PostgreSQL advisory lock key log writers serialise on (see insertLogsIn); "sluice" in ASCII. */
export const LOG_WRITE_LOCK = 0x736c75696365;
const MAX_LIMIT = 5_000;

/** The SQLite function `openStore` registers for case-insensitive search beyond ASCII (SQLite's LIKE folds ASCII only). */
export const SQLITE_CONTAINS_FUNCTION = 'sluice_icontains';

export interface StoreOptions {
  /**
   * PostgreSQL collation for case-insensitive search, e.g. 'und-x-icu': lower() under a database created
   * with the C locale folds ASCII only. Unset: the database's own collation.
   */
  searchCollation?: string;
}

export class Store {
  constructor(
    /** The Kysely instance, for tables the store has no methods for (users, login_failures, api_tokens). */
    readonly db: Kysely<Database>,
    readonly dialect: StoreDialect,
    private readonly options: StoreOptions = {},
  ) {}

  /**
   * Writes log lines in one transaction, as few multi-row INSERTs as the database allows.
   *
   * @example
   * await store.insertLogs([{ time: Date.now(), level: 'info', message: 'started', workflowId, runId }]);
   */
  async insertLogs(records: LogRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.db.transaction().execute((trx) => this.insertLogsIn(trx, records));
  }

  /**
   * `insertLogs` inside a transaction the caller owns; the lines become visible when it commits.
   *
   * Why the lock: the live tail reads "lines with an id above the last one I saw". On PostgreSQL, ids come
   * from a sequence when a row is inserted, but rows become visible when their transaction commits; with
   * several workers writing, a batch holding ids 1–100 can commit after one holding 101–200, and a tail
   * that read 101–200 in between would never see 1–100. Each writing transaction therefore first takes one
   * transaction-scoped advisory lock, held until it commits or rolls back: log batches are written one at
   * a time across all workers, so commit order is id order and the tail's `afterId` cursor skips nothing.
   * A batch is one multi-row INSERT of up to thousands of lines, so the serialisation costs little; readers
   * never take the lock. SQLite has a single writer anyway.
   */
  async insertLogsIn(trx: Transaction<Database>, records: LogRecord[]): Promise<void> {
    if (records.length === 0) return;
    if (this.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${sql.lit(LOG_WRITE_LOCK)})`.execute(trx);
    const chunk = INSERT_CHUNK[this.dialect];
    for (let start = 0; start < records.length; start += chunk) {
      await trx.executeQuery(insertLogsQuery(this.dialect, records.slice(start, start + chunk)));
    }
  }

  /**
   * Reads one run's lines, filtered and paged by id.
   *
   * @example
   * const newest = await store.readLogs({ runId, order: 'desc', limit: 100 });
   * const older = await store.readLogs({ runId, order: 'desc', beforeId: newest.at(-1)!.id });
   */
  async readLogs(q: LogQuery): Promise<StoredLog[]> {
    const limit = checkQuery(q);
    let query = this.db.selectFrom('logs').selectAll().where('run_id', '=', q.runId);
    if (q.afterId !== undefined) query = query.where('id', '>', q.afterId);
    if (q.beforeId !== undefined) query = query.where('id', '<', q.beforeId);
    if (q.minLevel !== undefined && q.minLevel !== 'debug') query = query.where('level', 'in', levelsFrom(q.minLevel));
    if (q.task !== undefined) query = query.where('task', '=', q.task);
    if (q.search) {
      const needle = q.search;
      query = query.where((eb) => eb.or([this.contains(sql.ref('message'), needle), this.contains(sql.ref('fields'), needle)]));
    }
    const rows = await query.orderBy('id', q.order ?? 'asc').limit(limit).execute();
    return rows.map(fromLogRow);
  }

  /** How many lines a run has. */
  async countLogs(runId: string): Promise<number> {
    const row = await this.db
      .selectFrom('logs')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('run_id', '=', runId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Adds flows to the catalog or replaces them by name (flows of other workers stay).
   *
   * @example
   * await store.upsertFlows([{ name: 'rainfall', taskQueue: 'hydro', description: null,
   *   parametersSchema: { type: 'object' }, deployments: [], updatedAt: Date.now() }]);
   */
  async upsertFlows(entries: FlowEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const rows = entries.map((e) => ({
      name: e.name,
      task_queue: e.taskQueue,
      description: e.description ?? null,
      parameters_schema: toJsonText(e.parametersSchema ?? null),
      deployments: toJsonText(e.deployments ?? []),
      updated_at: Math.trunc(e.updatedAt),
      run_timeout_ms: e.runTimeoutMs ?? null,
    }));
    await this.db
      .insertInto('flows')
      .values(rows)
      .onConflict((oc) =>
        oc.column('name').doUpdateSet((eb) => ({
          task_queue: eb.ref('excluded.task_queue'),
          description: eb.ref('excluded.description'),
          parameters_schema: eb.ref('excluded.parameters_schema'),
          deployments: eb.ref('excluded.deployments'),
          updated_at: eb.ref('excluded.updated_at'),
          run_timeout_ms: eb.ref('excluded.run_timeout_ms'),
        })),
      )
      .execute();
  }

  /** Every flow of the catalog, by name. */
  async listFlows(): Promise<FlowEntry[]> {
    const rows = await this.db.selectFrom('flows').selectAll().orderBy('name').execute();
    return rows.map(fromFlowRow);
  }

  async getFlow(name: string): Promise<FlowEntry | undefined> {
    const row = await this.db.selectFrom('flows').selectAll().where('name', '=', name).executeTakeFirst();
    return row && fromFlowRow(row);
  }

  /** Resolves when the database answers a trivial query (health checks). */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  /** Closes the connection (SQLite) or the pool (PostgreSQL). */
  async close(): Promise<void> {
    await this.db.destroy();
  }

  /** Case-insensitive substring test; NULL columns never match. */
  private contains(column: Expression<unknown>, needle: string): Expression<SqlBool> {
    if (this.dialect === 'sqlite') return sql<SqlBool>`${sql.raw(SQLITE_CONTAINS_FUNCTION)}(${column}, ${needle.toLowerCase()})`;
    const collation = this.options.searchCollation;
    if (!collation) return sql<SqlBool>`strpos(lower(${column}), lower(${needle})) > 0`;
    return sql<SqlBool>`strpos(lower(${column} collate ${sql.id(collation)}), lower(${needle} collate ${sql.id(collation)})) > 0`;
  }
}

function fromFlowRow(row: {
  name: string; task_queue: string; description: string | null; parameters_schema: string; deployments: string; updated_at: number;
  run_timeout_ms: number | null;
}): FlowEntry {
  const deployments = fromJsonText(row.deployments);
  return {
    name: row.name,
    taskQueue: row.task_queue,
    description: row.description,
    parametersSchema: fromJsonText(row.parameters_schema),
    deployments: Array.isArray(deployments) ? deployments : [],
    updatedAt: Number(row.updated_at),
    runTimeoutMs: row.run_timeout_ms === null ? null : Number(row.run_timeout_ms),
  };
}

/** Validates a query; returns the limit to use. */
function checkQuery(q: LogQuery): number {
  if (typeof q?.runId !== 'string' || q.runId === '') throw new StoreQueryError('readLogs needs a runId (the run whose lines to read).');
  for (const key of ['afterId', 'beforeId'] as const) {
    const v = q[key];
    if (v !== undefined && !Number.isFinite(v)) throw new StoreQueryError(`readLogs: ${key} must be a log id (a number), got ${String(v)}.`);
  }
  if (q.minLevel !== undefined && !LOG_LEVELS.includes(q.minLevel)) {
    throw new StoreQueryError(`readLogs: minLevel '${String(q.minLevel)}' is not a level; use one of ${LOG_LEVELS.join(', ')}.`);
  }
  if (q.order !== undefined && q.order !== 'asc' && q.order !== 'desc') {
    throw new StoreQueryError(`readLogs: order must be 'asc' or 'desc', got '${String(q.order)}'.`);
  }
  if (q.limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(q.limit) || q.limit < 1) throw new StoreQueryError(`readLogs: limit must be a whole number of at least 1, got ${String(q.limit)}.`);
  return Math.min(q.limit, MAX_LIMIT);
}
