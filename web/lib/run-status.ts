/**
 * How each run status and task status is named and coloured on the pages. The CSS classes (`status-*`) are
 * defined once in globals.css; colour is never the only signal, the word is always shown too.
 */
import type { RunStatus, TaskRun } from 'sluice/client';

export const RUN_STATUS_LABELS: Record<RunStatus, string> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  terminated: 'Terminated',
  timed_out: 'Timed out',
  continued_as_new: 'Continued as new',
};

export const TASK_STATUS_LABELS: Record<TaskRun['status'], string> = {
  scheduled: 'Scheduled',
  running: 'Running',
  retrying: 'Retrying',
  completed: 'Completed',
  failed: 'Failed',
  timed_out: 'Timed out',
  cancelled: 'Cancelled',
};

/** The colour family: ok (green), bad (red), active (blue), warn (amber), muted (grey). */
export type Tone = 'ok' | 'bad' | 'active' | 'warn' | 'muted';

const TONES: Record<string, Tone> = {
  running: 'active',
  waiting: 'warn',
  scheduled: 'muted',
  retrying: 'warn',
  completed: 'ok',
  failed: 'bad',
  timed_out: 'bad',
  terminated: 'warn',
  cancelled: 'muted',
  continued_as_new: 'muted',
};

export function statusTone(status: string): Tone {
  return TONES[status] ?? 'muted';
}

/** A running run that waits for a slot of a concurrency limit shows as this, not as running (it runs nothing yet). */
const WAITING_LABEL = 'Waiting';

export function statusLabel(status: string): string {
  if (status === 'waiting') return WAITING_LABEL;
  return (RUN_STATUS_LABELS as Record<string, string>)[status] ?? (TASK_STATUS_LABELS as Record<string, string>)[status] ?? status;
}

/** A run that may still change: the page keeps refreshing while one is shown. */
export function isActive(status: string): boolean {
  return status === 'running';
}
