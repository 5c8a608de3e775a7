/**
 * A bounded, progressive read of one run's lines (Store.readLogPage), as the run page's log viewer makes it.
 *
 * A filtered read (a search, a level or a task) cannot know where its matches are: a common phrase whose matches
 * all lie in the oldest part of a run of 500,000 lines makes a newest-first read go through 300,000 lines before its
 * first match (over half a second), whatever index there is. So a filtered read looks at a bounded part of the run
 * and says how far it looked; the caller reads on from there (the viewer does so by itself, showing its progress),
 * as log tools do ("searched the newest 100,000 lines… search older").
 *
 * - On PostgreSQL, a search whose needle the trigram index can look up (migration 0019) first asks the planner how
 *   it would read the rest of the run: when it would read that index (the needle is rare: the read costs about what
 *   its candidates do, 20–150 ms at any depth), one query reads the rest, as `readLogs` does.
 * - Otherwise the read walks the run in (run_id, id) order, one window of the run's lines after another: a window's
 *   far edge is found on the (run_id, id) index (its ids only: about 0.2 µs a line), then its lines are filtered
 *   (the exact test only: walking, the trigram test would cost more than it saves). The first window has
 *   `window` lines; more follow while the read has taken less than `budgetMs`, each sized by how fast the last went,
 *   so a request stays near its budget on a fast machine and a loaded one alike.
 */
import { sql, type Expression, type Kysely, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { Database } from './database';
import { fromLogRow } from './log-rows';
import { LOG_SEARCH_INDEX } from './migrations/0019-log-search';
import type { LogQuery, StoredLog } from './types';

/** The lines of the run's first window in a filtered read. */
export const LOG_PAGE_WINDOW = 20_000;
/** How long a filtered read goes on reading further windows (ms). */
export const LOG_PAGE_BUDGET_MS = 120;
/** A window this small is not worth its round trips: the read stops instead. */
const SMALLEST_GROWN_WINDOW = 2_000;

export interface LogPageOptions {
  /** Lines of the run the first window of a filtered read looks at (default 20,000). */
  window?: number;
  /** Further windows while the read has taken less than this (default 120 ms); 0: exactly one window a read. */
  budgetMs?: number;
}

/**
 * One page of a run's lines and how far the read looked.
 *
 * @example
 * // newest first: { logs: [...], searched: 84000, beforeId: 1570452, afterId: 1967470, more: true }
 */
export interface LogPage {
  /** The matching lines, in the query's order. */
  logs: StoredLog[];
  /**
   * How many of the run's lines the read went through; null when the trigram index answered it (the lines it
   * skipped were not counted: it searched every line of its range all the same).
   */
  searched: number | null;
  /**
   * Newest first only: every line from here up to the read's start was searched; read older lines with this
   * `beforeId`. Null: the run's first line was searched.
   */
  beforeId?: number | null;
  /** The highest id searched: read on forwards (the live tail) with this `afterId`. */
  afterId: number;
  /** Whether lines in the read's direction are left unsearched (read on at once from the cursor). */
  more: boolean;
}

/** What readLogPage needs of the Store (its private parts, lent for one read). */
export interface LogPageReader {
  dialect: 'sqlite' | 'postgres';
  db: Kysely<Database>;
  readLogs(q: LogQuery): Promise<StoredLog[]>;
  /**
   * The query's filtered read, without order and limit; `narrow`: with the trigram index's test (see Store.logsQuery);
   * `bounds`: other ids to read between than the query's.
   */
  filtered(narrow: boolean, bounds?: Pick<LogQuery, 'afterId' | 'beforeId'>): SelectQueryBuilder<Database, 'logs', any>;
  settledLogId(): Promise<number | undefined>;
}

export async function readLogPage(reader: LogPageReader, q: LogQuery, limit: number, options: LogPageOptions): Promise<LogPage> {
  const desc = q.order === 'desc';
  const filteredRead = Boolean(q.search) || (q.minLevel !== undefined && q.minLevel !== 'debug') || q.task !== undefined;
  if (!filteredRead) {
    // Unfiltered, a page reads exactly its lines: nothing to bound.
    const logs = await reader.readLogs({ ...q, limit });
    const full = logs.length === limit;
    if (desc) return { logs, searched: logs.length, beforeId: full ? logs.at(-1)!.id : null, afterId: logs[0]?.id ?? highestBelow(q), more: full };
    return { logs, searched: logs.length, afterId: logs.at(-1)?.id ?? q.afterId ?? 0, more: full };
  }
  const settled = await reader.settledLogId();
  // Only from the run's newest line: with a cursor, the planner misjudges how many of the run's lines lie beyond it and
  // may read a common needle's hundreds of thousands of index entries (0.8 s at full size); the windows bound that.
  const fromTheTop = desc && q.beforeId === undefined;
  if (reader.dialect === 'postgres' && q.search && fromTheTop) {
    const newest = inRunOrder(reader.filtered(true), settled, true).limit(limit);
    if (await readsTrigramIndex(newest)) return readRest(reader, q, newest, limit, settled);
  }
  return walkWindows(reader, q, limit, settled, desc, options);
}

/** The id below the read's start, for a newest-first read that found no line (a tail then starts there). */
function highestBelow(q: LogQuery): number {
  return q.beforeId !== undefined ? Math.max(0, q.beforeId - 1) : 0;
}

/**
 * One run's lines between two ids (exclusive), as conditions on (run_id, id): the run's own index is the only one that
 * can serve them. With `id < ?` beside `run_id = ?`, the planner may read an id range of the primary key instead,
 * through every other run's lines in it (all the lines of a month, for a run that ran that long).
 */
export function runRange(runId: string, { afterId, beforeId }: Pick<LogQuery, 'afterId' | 'beforeId'>): Expression<SqlBool> {
  const low = afterId === undefined ? sql<SqlBool>`run_id >= ${runId}` : sql<SqlBool>`(run_id, id) > (${runId}, ${afterId})`;
  const high = beforeId === undefined ? sql<SqlBool>`run_id <= ${runId}` : sql<SqlBool>`(run_id, id) < (${runId}, ${beforeId})`;
  return sql<SqlBool>`${low} and ${high}`;
}

/** `query` up to the settled id (where there is one), in the run's (run_id, id) order: newest first when `desc`. */
function inRunOrder<O>(query: SelectQueryBuilder<Database, 'logs', O>, settled: number | undefined, desc: boolean): SelectQueryBuilder<Database, 'logs', O> {
  const bounded = settled === undefined ? query : query.where('id', '<=', settled);
  const direction = desc ? 'desc' : 'asc';
  return bounded.orderBy('run_id', direction).orderBy('id', direction);
}

/** The run's ids between the cursors of `bounds`, in order (its (run_id, id) index alone). */
function runIds(reader: LogPageReader, runId: string, bounds: Pick<LogQuery, 'afterId' | 'beforeId'>, settled: number | undefined, desc: boolean) {
  return inRunOrder(reader.db.selectFrom('logs').select('id').where(runRange(runId, bounds)), settled, desc);
}

/** Whether PostgreSQL would run `newest` (the filtered read, newest first) through the trigram index (EXPLAIN, not run). */
async function readsTrigramIndex(newest: SelectQueryBuilder<Database, 'logs', any>): Promise<boolean> {
  const plan = await newest.explain('json');
  return JSON.stringify(plan).includes(`"Index Name":${JSON.stringify(LOG_SEARCH_INDEX)}`);
}

/** The run in one query through the trigram index (a rare needle), newest first from its newest line. */
async function readRest(reader: LogPageReader, q: LogQuery, newest: SelectQueryBuilder<Database, 'logs', any>, limit: number, settled: number | undefined): Promise<LogPage> {
  const rows = await newest.execute();
  const logs = rows.map(fromLogRow);
  const full = logs.length === limit;
  // The tail's start: the newest line of the range searched (one step down the run's index).
  const top = await newestId(reader, q, settled);
  return { logs, searched: null, beforeId: full ? logs.at(-1)!.id : null, afterId: top ?? highestBelow(q), more: full };
}

/** The id of the run's newest line in the read's range (one step down the run's index). */
async function newestId(reader: LogPageReader, q: LogQuery, settled: number | undefined): Promise<number | undefined> {
  const row = await runIds(reader, q.runId, q, settled, true).limit(1).executeTakeFirst();
  return row === undefined ? undefined : Number(row.id);
}

/**
 * The ids bounding the next `size` lines of the run from the read's cursor (index only), how many there are, and
 * whether the run has lines beyond them (so a window that ends at the run's first line says so).
 */
async function edges(
  reader: LogPageReader,
  q: Pick<LogQuery, 'runId' | 'afterId' | 'beforeId'>,
  settled: number | undefined,
  desc: boolean,
  size: number,
): Promise<{ low: number | null; high: number | null; n: number; beyond: boolean }> {
  const window = runIds(reader, q.runId, q, settled, desc).limit(size).as('w');
  const row = await reader.db
    .selectFrom(window)
    .select((eb) => [eb.fn.min('w.id').as('low'), eb.fn.max('w.id').as('high'), eb.fn.countAll().as('n')])
    .executeTakeFirstOrThrow();
  const [low, high, n] = [row.low === null ? null : Number(row.low), row.high === null ? null : Number(row.high), Number(row.n)];
  if (n < size || low === null || high === null) return { low, high, n, beyond: false };
  const beyond = await runIds(reader, q.runId, desc ? { ...q, beforeId: low } : { ...q, afterId: high }, settled, desc).limit(1).executeTakeFirst();
  return { low, high, n, beyond: beyond !== undefined };
}

/** The run's lines in [low, high] (a count on its index: the part of a window a full page went through). */
async function countBetween(reader: LogPageReader, runId: string, low: number, high: number): Promise<number> {
  const row = await reader.db
    .selectFrom('logs')
    .select((eb) => eb.fn.countAll().as('n'))
    .where(runRange(runId, { afterId: low - 1, beforeId: high + 1 }))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Window after window in the read's direction, until a page of matches, the run's end, or the time budget. */
async function walkWindows(reader: LogPageReader, q: LogQuery, limit: number, settled: number | undefined, desc: boolean, options: LogPageOptions): Promise<LogPage> {
  const budgetMs = options.budgetMs ?? LOG_PAGE_BUDGET_MS;
  let size = Math.max(1, Math.floor(options.window ?? LOG_PAGE_WINDOW));
  const started = performance.now();
  const logs: StoredLog[] = [];
  let searched = 0;
  // The cursor moves with each window: beforeId going back, afterId going forwards.
  let cursor = desc ? q.beforeId : q.afterId;
  let top: number | undefined; // the highest id searched
  for (;;) {
    const windowStarted = performance.now();
    const bounds = desc ? { ...q, beforeId: cursor } : { ...q, afterId: cursor };
    const edge = await edges(reader, bounds, settled, desc, size);
    if (edge.n === 0 || edge.low === null || edge.high === null) return finish(false);
    if (top === undefined || edge.high > top) top = edge.high;
    // The window's edges are within the settled id already.
    const rows = await inRunOrder(reader.filtered(false, { afterId: edge.low - 1, beforeId: edge.high + 1 }), undefined, desc)
      .limit(limit - logs.length)
      .execute();
    logs.push(...rows.map(fromLogRow));
    if (logs.length === limit) {
      const last = logs.at(-1)!.id;
      searched += desc ? await countBetween(reader, q.runId, last, edge.high) : await countBetween(reader, q.runId, edge.low, last);
      if (!desc) top = last;
      cursor = last;
      return finish(true);
    }
    searched += edge.n;
    cursor = desc ? edge.low : edge.high;
    if (!edge.beyond) return finish(false);
    const now = performance.now();
    const left = budgetMs - (now - started);
    // The next window: as many lines as the last window's pace fits in the time left.
    const next = Math.floor((size * left) / Math.max(1, now - windowStarted));
    if (left <= 0 || next < Math.min(size, SMALLEST_GROWN_WINDOW)) return finish(true);
    size = next;
  }

  function finish(more: boolean): LogPage {
    const afterId = top ?? (desc ? highestBelow(q) : q.afterId ?? 0);
    if (desc) return { logs, searched, beforeId: more ? cursor! : null, afterId, more };
    return { logs, searched, afterId: more || top !== undefined ? afterId : q.afterId ?? 0, more };
  }
}
