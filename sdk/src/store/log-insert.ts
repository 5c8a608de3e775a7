/**
 * The INSERT for log lines, written by hand: it is the hot path (every line of every run), and building it
 * through Kysely's query builder cost as much as running it (measured: ~9 µs per line for the AST and
 * compilation alone). It still runs through Kysely's executor like every other query.
 * - SQLite: a multi-row INSERT; its text depends only on the row count, so it is made once and reused (and its
 *   statement kept prepared, ./sqlite-connection.ts).
 * - PostgreSQL: one array per column, unnested: a short text and ten parameters whatever the batch, where a
 *   5,000-row VALUES list was a 150 KB text of 50,000 parameters that the server parsed and planned for every
 *   batch. unnest yields the rows in array order, so the ids (the column's default) follow the lines' order.
 */
import { CompiledQuery } from 'kysely';
import { appendLogRow, LOG_COLUMNS } from './log-rows';
import type { LogRecord } from './types';

export type InsertDialect = 'sqlite' | 'postgres';

const sqlTexts = new Map<number, string>();
const INSERT_START = 'insert into "logs" (';

/** Whether `sql` is one of the log INSERTs made here (SQLite keeps their statements prepared: ./sqlite-connection.ts). */
export const isLogInsert = (sql: string): boolean => sql.startsWith(INSERT_START);

function sqliteInsertSql(rows: number): string {
  let text = sqlTexts.get(rows);
  if (text) return text;
  const width = LOG_COLUMNS.length;
  const tuples = new Array<string>(rows);
  for (let r = 0; r < rows; r++) {
    const values = new Array<string>(width);
    for (let c = 0; c < width; c++) values[c] = '?';
    tuples[r] = `(${values.join(', ')})`;
  }
  text = `${INSERT_START}${LOG_COLUMNS.map((c) => `"${c}"`).join(', ')}) values ${tuples.join(', ')}`;
  // Batches come in a few sizes (full chunks, and whatever the last one holds): keep the cache small.
  if (sqlTexts.size > 64) sqlTexts.clear();
  sqlTexts.set(rows, text);
  return text;
}

/** The PostgreSQL array type of each of LOG_COLUMNS. */
const PG_ARRAYS = { time: 'int8[]', level: 'text[]', message: 'text[]', fields: 'text[]', workflow_id: 'text[]', run_id: 'text[]', flow: 'text[]', task: 'text[]', activity_id: 'text[]', attempt: 'int4[]' } as const;
const PG_INSERT = `${INSERT_START}${LOG_COLUMNS.map((c) => `"${c}"`).join(', ')}) select * from unnest(${LOG_COLUMNS.map((c, i) => `$${i + 1}::${PG_ARRAYS[c]}`).join(', ')})`;

/** One INSERT for these records (at most as many as the dialect's parameter limit allows on SQLite). */
export function insertLogsQuery(dialect: InsertDialect, records: readonly LogRecord[]): CompiledQuery {
  if (dialect === 'postgres') {
    const columns = LOG_COLUMNS.map(() => new Array<unknown>(records.length));
    const row: unknown[] = [];
    for (let r = 0; r < records.length; r++) {
      row.length = 0;
      appendLogRow(row, records[r]!);
      for (let c = 0; c < columns.length; c++) columns[c]![r] = row[c];
    }
    return CompiledQuery.raw(PG_INSERT, columns);
  }
  const params: unknown[] = [];
  for (const record of records) appendLogRow(params, record);
  return CompiledQuery.raw(sqliteInsertSql(records.length), params);
}
