/**
 * The multi-row INSERT for log lines, written by hand: it is the hot path (every line of every run), and
 * building it through Kysely's query builder cost as much as running it (measured: ~9 µs per line for
 * the AST and compilation alone). The SQL text depends only on the dialect and the row count, so it is
 * made once and reused; it still runs through Kysely's executor like every other query.
 */
import { CompiledQuery } from 'kysely';
import { appendLogRow, LOG_COLUMNS } from './log-rows';
import type { LogRecord } from './types';

export type InsertDialect = 'sqlite' | 'postgres';

const sqlTexts = new Map<string, string>();

function insertSql(dialect: InsertDialect, rows: number): string {
  const key = `${dialect}:${rows}`;
  let text = sqlTexts.get(key);
  if (text) return text;
  const width = LOG_COLUMNS.length;
  const tuples = new Array<string>(rows);
  for (let r = 0; r < rows; r++) {
    const values = new Array<string>(width);
    for (let c = 0; c < width; c++) values[c] = dialect === 'postgres' ? `$${r * width + c + 1}` : '?';
    tuples[r] = `(${values.join(', ')})`;
  }
  text = `insert into "logs" (${LOG_COLUMNS.map((c) => `"${c}"`).join(', ')}) values ${tuples.join(', ')}`;
  // Batches come in a few sizes (full chunks, and whatever the last one holds): keep the cache small.
  if (sqlTexts.size > 64) sqlTexts.clear();
  sqlTexts.set(key, text);
  return text;
}

/** One INSERT for these records (at most as many as the dialect's parameter limit allows). */
export function insertLogsQuery(dialect: InsertDialect, records: readonly LogRecord[]): CompiledQuery {
  const params: unknown[] = [];
  for (const record of records) appendLogRow(params, record);
  return CompiledQuery.raw(insertSql(dialect, records.length), params);
}
