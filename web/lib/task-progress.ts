/**
 * A task's progress as the run page draws it: the bar's value and maximum, and the words beside it. Pure, so the
 * server's first render and the live updates in the browser agree, and it is unit-tested.
 *
 * @example
 * progressView({ done: 12, total: 60, message: 'step 12 of 60', reportedAt: null })
 * // { value: 12, max: 60, percent: 20, text: 'step 12 of 60 · 20%' }
 */
import type { TaskProgress } from 'sluice/client';

export interface ProgressView {
  /** The bar's value, within 0..max; undefined when the total is unknown (0 or less): an indeterminate bar. */
  value: number | undefined;
  max: number;
  percent: number | null;
  text: string;
}

const number = (n: number) => n.toLocaleString('en', { maximumFractionDigits: 2 });

export function progressView({ done, total, message }: Pick<TaskProgress, 'done' | 'total' | 'message'>): ProgressView {
  const known = Number.isFinite(total) && total > 0 && Number.isFinite(done);
  const value = known ? Math.min(Math.max(done, 0), total) : undefined;
  const percent = value === undefined ? null : Math.floor((value / total) * 100);
  const words = message || `${number(done)} of ${number(total)}`;
  return { value, max: known ? total : 1, percent, text: percent === null ? words : `${words} · ${percent}%` };
}

/**
 * Of two reports of one task, the later one (by `reportedAt`; one without a time loses to one with): the page
 * holds what it rendered and what it polled since, and must not step back to the older.
 */
export function laterProgress(a: TaskProgress | null | undefined, b: TaskProgress | null | undefined): TaskProgress | null {
  if (!a || !b) return a ?? b ?? null;
  const at = a.reportedAt ? Date.parse(a.reportedAt) : -Infinity;
  const bt = b.reportedAt ? Date.parse(b.reportedAt) : -Infinity;
  return bt >= at ? b : a;
}
