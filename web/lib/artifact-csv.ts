/**
 * A table artifact as CSV (RFC 4180: commas, CRLF, quotes doubled), safe to open in a spreadsheet: a text cell
 * that starts like a formula (=, +, -, @, a tab or a carriage return) gets a leading apostrophe, as OWASP's CSV
 * injection advice says, so it is shown as text instead of run. Numbers stay numbers (-3.2 is a value, not a formula).
 *
 * @example
 * tableCsv({ columns: ['day', 'mm'], rows: [['2025-12-01', 4.2], ['=HYPERLINK("…")', null]] })
 * // 'day,mm\r\n2025-12-01,4.2\r\n"\'=HYPERLINK(""…"")",\r\n'
 */
import type { TableArtifact } from 'sluice/internal/types';

const FORMULA_START = /^[=+\-@\t\r]/;

function field(value: string | number | boolean | null): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function tableCsv(table: Pick<TableArtifact, 'columns' | 'rows'>): string {
  return [table.columns, ...table.rows].map((row) => `${row.map(field).join(',')}\r\n`).join('');
}

/** The download's file name: the artifact's key (lowercase letters, digits and dashes already) and the run. */
export function csvFileName(key: string, runId: string): string {
  return `${key}-${runId.slice(0, 8).replace(/[^A-Za-z0-9-]/g, '_')}.csv`;
}
