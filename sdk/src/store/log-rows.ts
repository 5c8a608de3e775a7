/**
 * Log records ⇄ rows of the `logs` table. Writing is defensive on purpose: the worker ships whatever
 * the runtime logger gave it, and one malformed record must not make a whole batch fail forever.
 */
import type { Selectable } from 'kysely';
import type { LogsTable } from './database';
import { fromJsonText, toJsonText } from './json-text';
import { LOG_LEVELS, type LogLevel, type LogRecord, type StoredLog } from './types';

/** The columns a written line fills, in the order `appendLogRow` appends their values. */
export const LOG_COLUMNS = ['time', 'level', 'message', 'fields', 'workflow_id', 'run_id', 'flow', 'task', 'activity_id', 'attempt'] as const;

// PostgreSQL text cannot hold NUL; SQLite can, but both stores must keep the same text.
const NUL = /\u0000/g;
export const text = (value: unknown): string => {
  const s = typeof value === 'string' ? value : String(value ?? '');
  return s.includes('\u0000') ? s.replace(NUL, '\uFFFD') : s;
};
export const optionalText = (value: unknown): string | null => (value === undefined || value === null ? null : text(value));

/** Appends the record's values, in LOG_COLUMNS order, to the parameters of a multi-row INSERT. */
export function appendLogRow(params: unknown[], record: LogRecord): void {
  const fields = record.fields;
  params.push(
    Number.isFinite(record.time) ? Math.trunc(record.time) : Date.now(),
    LOG_LEVELS.includes(record.level) ? record.level : 'info',
    text(record.message),
    typeof record.fieldsText === 'string' ? text(record.fieldsText) : fields === undefined || fields === null ? null : toJsonText(fields),
    text(record.workflowId),
    text(record.runId),
    optionalText(record.flow),
    optionalText(record.task),
    optionalText(record.activityId),
    Number.isSafeInteger(record.attempt) ? record.attempt : null,
  );
}

export function fromLogRow(row: Selectable<LogsTable>): StoredLog {
  const log: StoredLog = {
    id: Number(row.id),
    time: Number(row.time),
    level: row.level as LogLevel,
    message: row.message,
    workflowId: row.workflow_id,
    runId: row.run_id,
    flow: row.flow,
    task: row.task,
    activityId: row.activity_id,
    attempt: row.attempt === null ? null : Number(row.attempt),
  };
  if (row.fields !== null) log.fields = fromJsonText(row.fields) as Record<string, unknown>;
  return log;
}
