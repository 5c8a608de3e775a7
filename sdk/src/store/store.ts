/**
 * Sluice's store: log lines and the flow catalog (plus the users and token tables the web app works on
 * through `db`). The same code runs on SQLite and PostgreSQL; open it with `openStore`.
 */
import { sql, type Expression, type Kysely, type Selectable, type SqlBool, type Transaction } from 'kysely';
import type { Database, FlowsTable, TasksTable } from './database';
import { FlowNameTakenError, StoreQueryError, TaskQueueTakenError } from './errors';
import { fromJsonText, toJsonText } from './json-text';
import type { StoredArtifact } from '../artifacts';
import { fromArtifactRow, insertArtifacts, splitArtifacts } from './artifact-rows';
import { insertLogsQuery } from './log-insert';
import { fromLogRow, text } from './log-rows';
import { readSettled, type SimpleQueries } from './settled-read';
import { readLogPage, runRange, type LogPage, type LogPageOptions } from './log-page';
import { fromProgressRow, upsertProgress } from './progress-rows';
import { StoreRetention } from './retention';
import { searchedText } from './migrations/0019-log-search';
import { readStoreStats, type StoreStats } from './store-stats';
import { LOG_LEVELS, levelsFrom, type FlowEntry, type TaskEntry, type LogQuery, type PublishOptions, type LogRecord, type ProgressRecord, type ReplayFinding, type StoredLog } from './types';

export type StoreDialect = 'sqlite' | 'postgres';

/** Lines per INSERT: on SQLite as many as fit under its limit of bound parameters (10 per line); on PostgreSQL a shipper's batch. */
const INSERT_CHUNK: Record<StoreDialect, number> = { sqlite: 2_000, postgres: 5_000 };
const DEFAULT_LIMIT = 500;
const MAX_LIMIT = 5_000;
/** How long a statement of a log batch may wait for a lock (say a stuck writer's progress row of the same task). */
const LOG_WRITE_LOCK_TIMEOUT = '5s';
/** How long a statement of a log batch may run (one INSERT of at most 5,000 lines takes well under a second). */
const LOG_WRITE_STATEMENT_TIMEOUT = '60s';

/** The SQLite function `openStore` registers for case-insensitive search beyond ASCII (SQLite's LIKE folds ASCII only). */
export const SQLITE_CONTAINS_FUNCTION = 'sluice_icontains';

export interface StoreOptions {
  /**
   * PostgreSQL collation for case-insensitive search, e.g. 'und-x-icu': lower() under a database created
   * with the C locale folds ASCII only. Unset: the database's own collation.
   */
  searchCollation?: string;
  /** PostgreSQL: several statements in one round trip (./settled-read.ts), for log writes and the live tail's reads. */
  simpleQueries?: SimpleQueries;
}

export class Store {
  /** Deleting per-run data older than the retention period, in small batches (see retention.ts). */
  readonly retention: StoreRetention;

  constructor(
    /** The Kysely instance, for tables the store has no methods for (users, login_failures, api_tokens). */
    readonly db: Kysely<Database>,
    readonly dialect: StoreDialect,
    private readonly options: StoreOptions = {},
  ) {
    this.retention = new StoreRetention(db, dialect);
  }

  /**
   * Writes log lines in one transaction, as few multi-row INSERTs as the database allows; with them, the
   * progress tasks reported since the last batch (latest per task of a run wins, see `readProgress`).
   *
   * @example
   * await store.insertLogs([{ time: Date.now(), level: 'info', message: 'started', workflowId, runId }]);
   */
  async insertLogs(records: LogRecord[], progress: readonly ProgressRecord[] = []): Promise<void> {
    if (records.length === 0 && progress.length === 0) return;
    const simple = this.options.simpleQueries;
    if (!simple) return this.db.transaction().execute((trx) => this.insertLogsIn(trx, records, progress));
    // As insertLogsIn, with BEGIN and the declaration in one round trip: a batch takes three, not four.
    await this.db.connection().execute(async (db) => {
      try {
        await sql.raw(`begin; ${declareLogWriter(records, simple.literal)}`).execute(db);
        await this.writeLogRows(db, records, progress);
      } catch (err) {
        await sql.raw('rollback').execute(db).catch(() => undefined);
        throw err;
      }
      await sql.raw('commit').execute(db);
    });
  }

  /**
   * `insertLogs` inside a transaction the caller owns; the lines become visible when it commits.
   *
   * Ordering: the live tail reads "lines with an id above the last one I saw". On PostgreSQL, ids come from a
   * sequence when a row is inserted but become visible when their transaction commits, so with several
   * writers a batch holding ids 1–100 can commit after one holding 101–200. Writers do not wait for each
   * other for that: each first declares which runs it writes and the id its lines will be above (shared
   * advisory locks, migration 0014), and `readLogs` returns a run's lines only up to the lowest such id of
   * the writers still declared for that run. A writer that hangs holds back its own runs' tails until the
   * server's timeouts end it (IDLE_IN_TRANSACTION_TIMEOUT_MS), never another run's and never another writer.
   * The lock and statement timeouts (set for the rest of the transaction) end a batch stuck behind something,
   * say a stuck writer's uncommitted progress row of the same task, with an error the shipper retries.
   * SQLite has a single writer: commit order is id order there.
   */
  async insertLogsIn(trx: Transaction<Database>, records: LogRecord[], progress: readonly ProgressRecord[] = []): Promise<void> {
    if (records.length === 0 && progress.length === 0) return;
    if (this.dialect === 'postgres') {
      await sql`select set_config('lock_timeout', ${LOG_WRITE_LOCK_TIMEOUT}, true), set_config('statement_timeout', ${LOG_WRITE_STATEMENT_TIMEOUT}, true),
        sluice_declare_log_writer(${runsOf(records)}::text[])`.execute(trx);
    }
    await this.writeLogRows(trx, records, progress);
  }

  private async writeLogRows(trx: Kysely<Database>, records: LogRecord[], progress: readonly ProgressRecord[]): Promise<void> {
    const chunk = INSERT_CHUNK[this.dialect];
    const { lines, rows: artifacts } = splitArtifacts(records);
    for (let start = 0; start < lines.length; start += chunk) {
      await trx.executeQuery(insertLogsQuery(this.dialect, lines.slice(start, start + chunk)));
    }
    // In the same commit as the lines that say so; an artifact's run is declared with them (its tail waits alike).
    await insertArtifacts(trx, artifacts);
    // In the same commit as the lines: progress costs no transaction of its own.
    await upsertProgress(trx, progress);
  }

  /**
   * What tasks of a run last reported with `progress()`: one record per task (its latest attempt's latest
   * report), for the given activity ids or (without them) every task of the run that reported any.
   *
   * @example
   * const [simulate] = await store.readProgress(runId, ['3']); // { done: 12, total: 60, message: 'step 12 of 60', attempt: 1, ... }
   */
  async readProgress(runId: string, activityIds?: readonly string[]): Promise<ProgressRecord[]> {
    if (typeof runId !== 'string' || runId === '') throw new StoreQueryError('readProgress needs a runId (the run whose progress to read).');
    if (activityIds && activityIds.length > MAX_LIMIT) throw new StoreQueryError(`readProgress: at most ${MAX_LIMIT} activity ids at once, got ${activityIds.length}.`);
    if (activityIds && activityIds.length === 0) return [];
    let query = this.db.selectFrom('task_progress').selectAll().where('run_id', '=', runId);
    if (activityIds) query = query.where('activity_id', 'in', [...activityIds]);
    const rows = await query.orderBy('id').execute();
    return rows.map(fromProgressRow);
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
    const order = q.order ?? 'asc';
    const query = this.logsQuery(q, { narrow: true });
    // Only lines no later commit can come before (see insertLogsIn); read first, so the query's snapshot is newer.
    if (this.options.simpleQueries && order === 'asc') {
      const rows = await readSettled(this.options.simpleQueries, q.runId, query.orderBy('run_id', 'asc').orderBy('id', 'asc').limit(limit).compile());
      if (rows) return rows.map((row) => fromLogRow(row as Selectable<Database['logs']>));
    }
    const settled = await this.settledLogId(q.runId);
    const rows = await (settled === undefined ? query : query.where('id', '<=', settled)).orderBy('run_id', order).orderBy('id', order).limit(limit).execute();
    return rows.map(fromLogRow);
  }

  /**
   * One page of a run's lines as the run page's log viewer reads them: a filtered read (search, level, task) looks
   * at a bounded part of the run only, and says how far it looked, so the caller reads on from there (see
   * log-page.ts: a common phrase whose matches all lie far back costs one bounded request at a time, not one
   * request that reads half a million lines).
   *
   * @example
   * const page = await store.readLogPage({ runId, order: 'desc', search: 'timeout', limit: 1000 });
   * if (page.beforeId !== null) await store.readLogPage({ runId, order: 'desc', search: 'timeout', beforeId: page.beforeId });
   */
  async readLogPage(q: LogQuery, options: LogPageOptions = {}): Promise<LogPage> {
    const limit = checkQuery(q);
    return readLogPage(
      {
        dialect: this.dialect,
        db: this.db,
        readLogs: (query) => this.readLogs(query),
        filtered: (narrow, bounds) => this.logsQuery({ ...q, ...bounds }, { narrow }),
        settledLogId: () => this.settledLogId(q.runId),
      },
      q,
      limit,
      options,
    );
  }

  /**
   * A run's lines as a range of one run id, in (run_id, id) order, filtered as `q` says (not yet by its limit or
   * order). `narrow`: on PostgreSQL, a search also tests the trigram index's text (migration 0019), so the planner
   * may read that index; a read that walks the run's lines in order is faster without it (the exact test alone).
   */
  private logsQuery(q: Pick<LogQuery, 'runId' | 'afterId' | 'beforeId' | 'minLevel' | 'task' | 'search'>, { narrow }: { narrow: boolean }) {
    // The run as a range of one run id, in (run_id, id) order: so only the (run_id, id) index gives that order. With
    // `run_id = ?` and `order by id` the planner may walk the primary key from the newest line down, skipping other
    // runs' lines: it assumes a run's lines are spread evenly over all ids, true of no run, and for a run of months
    // ago that walk reads every line written since (seconds, in a big store). bench/scale/big-store.ts has the plans.
    // The cursor's bound is on (run_id, id) too (see runRange).
    let query = this.db.selectFrom('logs').selectAll().where(runRange(q.runId, q));
    if (q.minLevel !== undefined && q.minLevel !== 'debug') query = query.where('level', 'in', levelsFrom(q.minLevel));
    if (q.task !== undefined) query = query.where('task', '=', q.task);
    if (q.search) {
      const needle = q.search;
      // The cheap, indexed test first (PostgreSQL keeps this order for filters of like cost): the exact one, which
      // lowers in Unicode (several µs a line), then runs only on the lines that pass it.
      const narrowed = narrow && this.dialect === 'postgres' ? searchPattern(needle) : undefined;
      if (narrowed) query = query.where(sql<SqlBool>`${searchedText()} like ${narrowed}`);
      query = query.where((eb) => eb.or([this.contains(sql.ref('message'), needle), this.contains(sql.ref('fields'), needle)]));
    }
    return query;
  }

  /**
   * A run's artifacts in the order they reached the store (by id), after an id: the run page tails them as it tails
   * lines, and shows them by `time` (when each was published; a flow's reach the store after its tasks' of the same moment).
   *
   * @example
   * const [totals] = await store.readArtifacts(runId); // { kind: 'table', key: 'daily-totals', title, columns, rows, id, time, ... }
   */
  async readArtifacts(runId: string, options: { afterId?: number; limit?: number } = {}): Promise<StoredArtifact[]> {
    if (typeof runId !== 'string' || runId === '') throw new StoreQueryError('readArtifacts needs a runId (the run whose artifacts to read).');
    const { afterId = 0, limit = 100 } = options;
    if (!Number.isFinite(afterId)) throw new StoreQueryError(`readArtifacts: afterId must be an artifact id (a number), got ${String(afterId)}.`);
    if (!Number.isInteger(limit) || limit < 1) throw new StoreQueryError(`readArtifacts: limit must be a whole number of at least 1, got ${String(limit)}.`);
    // Their ids come from the lines' sequence on PostgreSQL: the same settled id keeps the tail from skipping one.
    const settled = await this.settledLogId(runId);
    let query = this.db.selectFrom('artifacts').selectAll().where('run_id', '=', runId).where('id', '>', afterId);
    if (settled !== undefined) query = query.where('id', '<=', settled);
    const rows = await query.orderBy('id').limit(Math.min(limit, 1000)).execute();
    return rows.map(fromArtifactRow);
  }

  /** One artifact by id, or undefined (the CSV download of a table). */
  async getArtifact(id: number): Promise<StoredArtifact | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    const row = await this.db.selectFrom('artifacts').selectAll().where('id', '=', id).executeTakeFirst();
    return row && fromArtifactRow(row);
  }

  /**
   * The latest artifact of each key a flow's runs published (the newest id per key), newest published first (the flow page).
   *
   * @example
   * const latest = await store.latestArtifacts('rainfallReport'); // [{ key: 'daily-totals', runId, ... }, …]
   */
  async latestArtifacts(flow: string, limit = 50): Promise<StoredArtifact[]> {
    const newest = this.db.selectFrom('artifacts').select((eb) => eb.fn.max('id').as('id')).where('flow', '=', flow).groupBy('key');
    const rows = await this.db.selectFrom('artifacts').selectAll().where('id', 'in', newest).orderBy('time', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(fromArtifactRow);
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
   * Publishes the whole set of flows a task queue serves, in one transaction: upserts each entry (live again if
   * it was gone), marks the queue's other flows gone, and marks gone the entries of other queues whose names
   * `takeOver` lists. Throws FlowNameTakenError if another queue still serves one of these names live. With
   * `repository`, throws TaskQueueTakenError (changing nothing) if the queue serves another repository's flows,
   * and makes the queue's entries from before repositories were recorded its own when it declares one of them.
   *
   * @example
   * await store.publishFlows('hydro', [{ name: 'rainfall', taskQueue: 'hydro', description: null,
   *   parametersSchema: { type: 'object' }, deployments: [], updatedAt: Date.now() }], { repository: 'hydro-flows' });
   */
  async publishFlows(taskQueue: string, entries: FlowEntry[], options: PublishOptions = {}, now = Date.now()): Promise<void> {
    const names = entries.map((e) => e.name);
    const { takeOver = [], repository } = options;
    await this.db.transaction().execute(async (trx) => {
      if (repository !== undefined) await claimQueue(trx, taskQueue, repository, names);
      const live = trx.updateTable('flows').set({ gone_at: Math.trunc(now) }).where('gone_at', 'is', null);
      if (takeOver.length) await live.where('task_queue', '<>', taskQueue).where('name', 'in', takeOver).execute();
      await (names.length ? live.where('task_queue', '=', taskQueue).where('name', 'not in', names) : live.where('task_queue', '=', taskQueue)).execute();
      if (names.length === 0) return;
      const taken = await trx
        .selectFrom('flows')
        .select(['name', 'task_queue'])
        .where('gone_at', 'is', null)
        .where('task_queue', '<>', taskQueue)
        .where('name', 'in', names)
        .execute();
      if (taken.length) throw new FlowNameTakenError(taken.map((t) => ({ flow: t.name, taskQueue, servedBy: t.task_queue })));
      const rows = entries.map((e) => ({
        task_queue: taskQueue,
        name: e.name,
        description: e.description ?? null,
        parameters_schema: toJsonText(e.parametersSchema ?? null),
        deployments: toJsonText(e.deployments ?? []),
        updated_at: Math.trunc(e.updatedAt),
        run_timeout_ms: e.runTimeoutMs ?? null,
        gone_at: null,
        repository: repository ?? null,
      }));
      await trx
        .insertInto('flows')
        .values(rows)
        .onConflict((oc) =>
          oc.columns(['task_queue', 'name']).doUpdateSet((eb) => ({
            description: eb.ref('excluded.description'),
            parameters_schema: eb.ref('excluded.parameters_schema'),
            deployments: eb.ref('excluded.deployments'),
            updated_at: eb.ref('excluded.updated_at'),
            run_timeout_ms: eb.ref('excluded.run_timeout_ms'),
            gone_at: null,
            repository: eb.ref('excluded.repository'),
          })),
        )
        .execute();
    });
  }

  /**
   * Throws TaskQueueTakenError if `taskQueue` serves another repository's flows: what `publishFlows` with
   * `repository` would refuse, asked before anything else (the worker's first check).
   */
  async checkTaskQueue(taskQueue: string, repository: string, names: string[]): Promise<void> {
    await checkQueueFree(this.db, taskQueue, repository, names);
  }

  /**
   * The catalog as people see it, by name: every live flow, and each gone flow whose name no queue serves now
   * (its newest entry), so past runs keep a flow to belong to.
   */
  async listFlows(): Promise<FlowEntry[]> {
    const rows = await this.db.selectFrom('flows').selectAll().orderBy('name').orderBy('task_queue').execute();
    const byName = new Map<string, FlowEntry>();
    for (const entry of rows.map(fromFlowRow)) {
      const seen = byName.get(entry.name);
      if (!seen || preferred(entry, seen)) byName.set(entry.name, entry);
    }
    return [...byName.values()];
  }

  /**
   * The live entry of a flow (the one a run starts on). With `includeGone`, a flow no queue serves any more
   * gives its newest gone entry instead.
   */
  async getFlow(name: string, options: { includeGone?: boolean } = {}): Promise<FlowEntry | undefined> {
    const rows = await this.db.selectFrom('flows').selectAll().where('name', '=', name).execute();
    const best = rows.map(fromFlowRow).reduce<FlowEntry | undefined>((a, b) => (!a || preferred(b, a) ? b : a), undefined);
    return best && (best.goneAt == null || options.includeGone) ? best : undefined;
  }

  /** Every entry of one task queue, live and gone, by name (what a worker published). */
  async flowsOfQueue(taskQueue: string): Promise<FlowEntry[]> {
    const rows = await this.db.selectFrom('flows').selectAll().where('task_queue', '=', taskQueue).orderBy('name').execute();
    return rows.map(fromFlowRow);
  }

  /**
   * The store's kind, size, row counts of its main tables and its oldest log line (the admin page's "Store").
   *
   * @example
   * const { sizeBytes, oldestLogTime } = await store.stats();
   */
  async stats(): Promise<StoreStats> {
    return readStoreStats(this.db, this.dialect);
  }

  /**
   * The tasks a worker in another language (Python) serves on a queue, as it published them; gone ones left out.
   *
   * @example
   * const [interpolate] = await store.tasksOfQueue('hydrology'); // { name: 'interpolate', options: { retries: 2, ... } }
   */
  async tasksOfQueue(taskQueue: string): Promise<TaskEntry[]> {
    const rows = await this.db.selectFrom('tasks').selectAll().where('task_queue', '=', taskQueue).where('gone_at', 'is', null).orderBy('name').execute();
    return rows.map(fromTaskRow);
  }

  /**
   * Replaces a task queue's replay findings with what its newest worker found (none: every open run it checked
   * replays on its code). One transaction: a reader never sees the queue half replaced.
   *
   * @example
   * await store.replaceReplayFindings('hydrology', [{ workflowId, runId, flow: 'rainfall', reason, foundAt: Date.now(), worker }]);
   */
  async replaceReplayFindings(taskQueue: string, findings: readonly Omit<ReplayFinding, 'taskQueue'>[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('replay_findings').where('task_queue', '=', taskQueue).execute();
      if (findings.length === 0) return;
      // One row per run: a history replayed twice in a batch (a retry) keeps its last reason.
      const rows = new Map(findings.map((f) => [f.runId, { task_queue: taskQueue, workflow_id: f.workflowId, run_id: f.runId, flow: f.flow, reason: f.reason, found_at: f.foundAt, worker: f.worker }]));
      await trx.insertInto('replay_findings').values([...rows.values()]).execute();
    });
  }

  /**
   * Replay findings, newest first: of one run (the run page), or of every queue (the home page).
   *
   * @example
   * const [finding] = await store.replayFindings({ runId }); // undefined: its queue's code replays it
   */
  async replayFindings(options: { runId?: string; limit?: number } = {}): Promise<ReplayFinding[]> {
    let query = this.db.selectFrom('replay_findings').selectAll();
    if (options.runId !== undefined) query = query.where('run_id', '=', options.runId);
    const rows = await query.orderBy('found_at', 'desc').orderBy('run_id').limit(Math.min(options.limit ?? DEFAULT_LIMIT, MAX_LIMIT)).execute();
    return rows.map((r) => ({ taskQueue: r.task_queue, workflowId: r.workflow_id, runId: r.run_id, flow: r.flow, reason: r.reason, foundAt: Number(r.found_at), worker: r.worker }));
  }

  /**
   * Publishes the whole set of tasks a worker in another language (Python) serves on a queue, in one transaction:
   * upserts each (live again if it was gone) and marks the queue's other tasks gone. `tasks` maps a name to its
   * options in TaskOptions' shape. What the Python worker wrote itself in direct mode, for the worker API.
   *
   * @example
   * await store.publishTasks('hydrology', { interpolate: { retries: 2 } }, 'worker-1@host');
   */
  async publishTasks(taskQueue: string, tasks: Record<string, Record<string, unknown>>, worker: string, now = Date.now()): Promise<void> {
    const names = Object.keys(tasks);
    await this.db.transaction().execute(async (trx) => {
      let gone = trx.updateTable('tasks').set({ gone_at: now }).where('task_queue', '=', taskQueue).where('gone_at', 'is', null);
      if (names.length) gone = gone.where('name', 'not in', names);
      await gone.execute();
      if (!names.length) return;
      const rows = names.map((name) => ({ task_queue: taskQueue, name, language: 'python', options: toJsonText(tasks[name]), worker, updated_at: now, gone_at: null }));
      await trx
        .insertInto('tasks')
        .values(rows)
        .onConflict((oc) =>
          oc.columns(['task_queue', 'name']).doUpdateSet((eb) => ({
            language: eb.ref('excluded.language'),
            options: eb.ref('excluded.options'),
            worker: eb.ref('excluded.worker'),
            updated_at: eb.ref('excluded.updated_at'),
            gone_at: null,
          })),
        )
        .execute();
    });
  }

  /**
   * Every task workers in another language (Python) serve now, on all queues, by queue then name; gone ones
   * left out (the web app's list of them).
   *
   * @example
   * const tasks = await store.listTasks(); // [{ taskQueue: 'hydrology', name: 'interpolate', options: {...}, worker, updatedAt }]
   */
  async listTasks(): Promise<TaskEntry[]> {
    const rows = await this.db.selectFrom('tasks').selectAll().where('gone_at', 'is', null).orderBy('task_queue').orderBy('name').execute();
    return rows.map(fromTaskRow);
  }

  /** Resolves when the database answers a trivial query (health checks). */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  /** Closes the connection (SQLite) or the pool (PostgreSQL). */
  async close(): Promise<void> {
    await this.db.destroy();
  }

  /**
   * On PostgreSQL, the highest id of `runId`'s lines that a reader may hand out as a cursor: every line at or
   * below it that will ever be visible already is. Undefined on SQLite (one writer: every visible line is).
   */
  private async settledLogId(runId: string): Promise<number | undefined> {
    if (this.dialect !== 'postgres') return undefined;
    const { rows } = await sql<{ settled: number | null }>`select sluice_settled_log_id(${runId}) as settled`.execute(this.db);
    return rows[0]?.settled ?? 0;
  }

  /** Case-insensitive substring test; NULL columns never match. */
  private contains(column: Expression<unknown>, needle: string): Expression<SqlBool> {
    if (this.dialect === 'sqlite') return sql<SqlBool>`${sql.raw(SQLITE_CONTAINS_FUNCTION)}(${column}, ${needle.toLowerCase()})`;
    const collation = this.options.searchCollation;
    if (!collation) return sql<SqlBool>`strpos(lower(${column}), lower(${needle})) > 0`;
    return sql<SqlBool>`strpos(lower(${column} collate ${sql.id(collation)}), lower(${needle} collate ${sql.id(collation)})) > 0`;
  }
}

/**
 * The LIKE pattern of migration 0019's text that every line containing `needle` matches: its ASCII parts, lowered, in
 * order (LIKE's own characters escaped); undefined when they hold no three letters or digits in a row, the least
 * pg_trgm can look up (the index would be read whole: reading the run is cheaper then).
 */
export function searchPattern(needle: string): string | undefined {
  const parts = needle.split(/[^\x00-\x7f]+/).filter((p) => p !== '').map((p) => p.toLowerCase());
  if (!parts.some((p) => /[a-z0-9]{3}/.test(p))) return undefined;
  return `%${parts.map((p) => p.replace(/[\\%_]/g, (c) => `\\${c}`)).join('%')}%`;
}

/**
 * Throws TaskQueueTakenError if `taskQueue` serves live flows of a repository other than `repository`, which is
 * to publish its flows `names` there. Entries from before repositories were recorded count as another's unless
 * one of them is among `names` (then they are this repository's from before).
 */
async function checkQueueFree(db: Kysely<Database>, taskQueue: string, repository: string, names: string[]): Promise<{ unowned: boolean }> {
  const rows = await db.selectFrom('flows').select(['name', 'repository', 'gone_at']).where('task_queue', '=', taskQueue).execute();
  const foreign = rows.filter((r) => r.gone_at === null && r.repository !== null && r.repository !== repository);
  const unownedLive = rows.filter((r) => r.repository === null && r.gone_at === null);
  const others = foreign.length ? foreign : unownedLive.some((r) => names.includes(r.name)) ? [] : unownedLive;
  if (others.length) {
    const servedFor = others[0]!.repository;
    throw new TaskQueueTakenError({ taskQueue, repository, servedFor, flows: others.filter((r) => r.repository === servedFor).map((r) => r.name).sort() });
  }
  return { unowned: rows.some((r) => r.repository === null) };
}

/** `checkQueueFree`, then makes the queue's entries from before repositories were recorded `repository`'s. */
async function claimQueue(trx: Transaction<Database>, taskQueue: string, repository: string, names: string[]): Promise<void> {
  const { unowned } = await checkQueueFree(trx, taskQueue, repository, names);
  if (unowned) await trx.updateTable('flows').set({ repository }).where('task_queue', '=', taskQueue).where('repository', 'is', null).execute();
}

/** Of two entries of one name: the live one, else the one gone last. */
function preferred(a: FlowEntry, b: FlowEntry): boolean {
  if (a.goneAt == null || b.goneAt == null) return a.goneAt == null && b.goneAt != null;
  return a.goneAt > b.goneAt;
}

function fromTaskRow(row: Selectable<TasksTable>): TaskEntry {
  return {
    name: row.name,
    taskQueue: row.task_queue,
    language: row.language,
    options: fromJsonText(row.options) as Record<string, unknown>,
    worker: row.worker,
    updatedAt: Number(row.updated_at),
  };
}

function fromFlowRow(row: Selectable<FlowsTable>): FlowEntry {
  const deployments = fromJsonText(row.deployments);
  return {
    name: row.name,
    taskQueue: row.task_queue,
    description: row.description,
    parametersSchema: fromJsonText(row.parameters_schema),
    deployments: Array.isArray(deployments) ? deployments : [],
    updatedAt: Number(row.updated_at),
    runTimeoutMs: row.run_timeout_ms === null ? null : Number(row.run_timeout_ms),
    goneAt: row.gone_at == null ? null : Number(row.gone_at),
    repository: row.repository ?? null,
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

/** The runs a batch writes, as its lines will name them (see appendLogRow). */
const runsOf = (records: readonly LogRecord[]): string[] => [...new Set(records.map((r) => text(r.runId)))];

/** insertLogsIn's first statement as text, for a simple query (see insertLogs). */
function declareLogWriter(records: readonly LogRecord[], literal: (value: string) => string): string {
  return (
    `select set_config('lock_timeout', ${literal(LOG_WRITE_LOCK_TIMEOUT)}, true), set_config('statement_timeout', ${literal(LOG_WRITE_STATEMENT_TIMEOUT)}, true), ` +
    `sluice_declare_log_writer(array[${runsOf(records).map(literal).join(', ')}]::text[])`
  );
}
