/**
 * One run's page: the run, its flow (for "re-run with changes"), and its tasks laid out on a timeline. A run may
 * have a thousand tasks: the timeline shows them a page at a time, and can show only the ones that had trouble.
 *
 * @example const view = await getRunView(await getSluice(), workflowId, runId, { tasks: 'problems' });
 */
import type { SluiceClient } from 'sluice/client';
import type { FlowInfo, RunDetail, TaskRun } from 'sluice/client';
import { statusTone, type Tone } from './run-status';

export const TASKS_PER_PAGE = 100;

export interface TimelineRow {
  task: TaskRun;
  tone: Tone;
  /** Where the bar starts and how wide it is, in percent of the run's span. */
  offsetPct: number;
  widthPct: number;
  /** Retries made: attempts beyond the first. */
  retries: number;
}

export interface TaskSummary {
  total: number;
  running: number;
  failed: number;
  retried: number;
}

export interface RunView {
  run: RunDetail;
  flow: FlowInfo | undefined;
  rows: TimelineRow[];
  taskSummary: TaskSummary;
  taskFilter: 'all' | 'problems';
  taskPage: number;
  taskPages: number;
  spanMs: number;
}

/** A task that had trouble: failed, timed out, retried, or is retrying now. */
export function hadTrouble(t: TaskRun): boolean {
  return t.status === 'failed' || t.status === 'timed_out' || t.status === 'retrying' || t.attempts > 1 || t.lastFailure !== null;
}

export function summarizeTasks(tasks: TaskRun[]): TaskSummary {
  return {
    total: tasks.length,
    running: tasks.filter((t) => t.status === 'running' || t.status === 'retrying' || t.status === 'scheduled').length,
    failed: tasks.filter((t) => t.status === 'failed' || t.status === 'timed_out').length,
    retried: tasks.filter((t) => t.attempts > 1).length,
  };
}

/** Bars relative to the run: from its start to its close (or now, while it runs). */
export function timelineRows(run: Pick<RunDetail, 'startTime' | 'closeTime'>, tasks: TaskRun[], now = Date.now()): { rows: TimelineRow[]; spanMs: number } {
  const start = Date.parse(run.startTime);
  const end = run.closeTime ? Date.parse(run.closeTime) : now;
  const span = Math.max(end - start, 1);
  const rows = tasks.map((task) => {
    const from = Date.parse(task.scheduledTime);
    const to = task.closeTime ? Date.parse(task.closeTime) : Math.max(now, from);
    const offset = Math.min(Math.max(((from - start) / span) * 100, 0), 100);
    const width = Math.min(Math.max(((to - from) / span) * 100, 0.4), 100 - offset);
    return { task, tone: statusTone(task.status), offsetPct: round(offset), widthPct: round(Math.max(width, 0.4)), retries: Math.max(task.attempts - 1, 0) };
  });
  return { rows, spanMs: span };
}

const round = (n: number) => Math.round(n * 100) / 100;

export async function getRunView(
  client: Pick<SluiceClient, 'getRun' | 'getFlow'>,
  workflowId: string,
  runId: string | undefined,
  options: { tasks?: string; taskPage?: string | number } = {},
  now = Date.now(),
): Promise<RunView | undefined> {
  const run = await client.getRun(workflowId, runId);
  if (!run) return undefined;
  const flow = await client.getFlow(run.flow).catch(() => undefined);
  const taskFilter = options.tasks === 'problems' ? 'problems' : 'all';
  const tasks = [...run.tasks].sort((a, b) => a.scheduledTime.localeCompare(b.scheduledTime));
  const shown = taskFilter === 'problems' ? tasks.filter(hadTrouble) : tasks;
  const taskPages = Math.max(1, Math.ceil(shown.length / TASKS_PER_PAGE));
  const requested = Number(options.taskPage ?? 1);
  const taskPage = Number.isInteger(requested) && requested >= 1 ? Math.min(requested, taskPages) : 1;
  const { rows, spanMs } = timelineRows(run, shown.slice((taskPage - 1) * TASKS_PER_PAGE, taskPage * TASKS_PER_PAGE), now);
  return { run, flow, rows, taskSummary: summarizeTasks(run.tasks), taskFilter, taskPage, taskPages, spanMs };
}
