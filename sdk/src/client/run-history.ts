/**
 * Reads a run's history (and its pending tasks) into what the run page shows: parameters, result or failure,
 * and every task with its attempts, durations and last failure.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import { timestampDate } from '../temporal/time';
import type { temporal } from '@temporalio/proto';
import { failureOf } from './failures';
import type { RunFailure, StuckRun, TaskProgress, TaskRun } from './types';
import type { ProgressRecord } from '../store/types';
import { SLUICE_TASK_CATALOG } from '../task-options';
import { REQUEST_TASK } from '../limits/limit-types';

type History = temporal.api.history.v1.IHistory;
type Event = temporal.api.history.v1.IHistoryEvent;
type Pending = temporal.api.workflow.v1.IPendingActivityInfo;
type Payloads = temporal.api.common.v1.IPayloads | null | undefined;

export interface RunHistory {
  parameters: unknown;
  result: unknown;
  failure: RunFailure | null;
  tasks: TaskRun[];
  /** The last workflow task failure no later workflow task completed past (the flow code's own failure). */
  workflowTaskFailure: { cause: number; failure: RunFailure | null } | null;
}

/** The marker Temporal's core SDK records when a local activity (a `local: true` task) ends. */
const LOCAL_TASK_MARKER = 'core_local_activity';

/** A local task as its marker records it: type, final attempt, result or failure — once, when it ended. */
function localTaskOf(marker: temporal.api.history.v1.IMarkerRecordedEventAttributes, time: string): TaskRun {
  const data = (firstPayload(marker.details?.data) ?? {}) as { activity_id?: string; activity_type?: string; attempt?: number };
  return {
    activityId: String(data.activity_id ?? ''),
    task: data.activity_type ?? '',
    status: marker.failure ? 'failed' : 'completed',
    attempts: data.attempt ?? 1,
    maximumAttempts: null,
    scheduledTime: time,
    startedTime: null,
    closeTime: time,
    durationMs: null,
    lastFailure: failureOf(marker.failure),
    progress: null,
    local: true,
  };
}

/** WorkflowTaskFailedCause values (temporal.api.enums.v1) that are routine, not the flow's code failing. */
const ROUTINE_TASK_FAILURES = new Set([
  1, // UNHANDLED_COMMAND: a signal came in while the task ran; a new task follows
  13, // RESET_STICKY_TASK_QUEUE
  17, // FORCE_CLOSE_COMMAND
  18, // FAILOVER_CLOSE_COMMAND
  20, // RESET_WORKFLOW
  31, // UNHANDLED_UPDATE
]);
const NON_DETERMINISTIC = 24;

const iso = (ts: Parameters<typeof timestampDate>[0]) => timestampDate(ts)?.toISOString() ?? null;

export function firstPayload(p: Payloads): unknown {
  const payload = p?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
}

/** Reads a whole history at once: `new HistoryReader()`, then `add` its events and `read`. */
export function readHistory(history: History, pending: Pending[] = []): RunHistory {
  const reader = new HistoryReader();
  reader.add(history.events ?? []);
  return reader.read(pending);
}

/**
 * Reads a history a part at a time: `add` the events as they come (in order, each once), `read` whenever the
 * run is shown. What it keeps is what the page shows (tasks, parameters, outcome), not the events, so a run's
 * page can be refreshed by fetching only the events added since the last `add`.
 */
export class HistoryReader {
  private readonly out: RunHistory = { parameters: undefined, result: undefined, failure: null, tasks: [], workflowTaskFailure: null };
  private readonly bySchedule = new Map<string, TaskRun>();
  /** The id of the last event added (0 before any). */
  lastEventId = 0;

  add(events: Event[]): void {
    const out = this.out;
    for (const e of events) {
      this.lastEventId = Number(e.eventId ?? this.lastEventId + 1);
      const time = iso(e.eventTime) ?? new Date(0).toISOString();
      if (e.workflowExecutionStartedEventAttributes) {
        out.parameters = firstPayload(e.workflowExecutionStartedEventAttributes.input);
      } else if (e.workflowExecutionCompletedEventAttributes) {
        out.result = firstPayload(e.workflowExecutionCompletedEventAttributes.result);
      } else if (e.workflowExecutionFailedEventAttributes) {
        out.failure = failureOf(e.workflowExecutionFailedEventAttributes.failure);
      } else if (e.workflowExecutionTimedOutEventAttributes) {
        out.failure = { message: 'The run timed out', type: 'Timeout', stack: null, causes: [] };
      } else if (e.workflowExecutionTerminatedEventAttributes) {
        const reason = e.workflowExecutionTerminatedEventAttributes.reason;
        out.failure = { message: `Terminated${reason ? `: ${reason}` : ''}`, type: 'Terminated', stack: null, causes: [] };
      } else if (e.workflowTaskFailedEventAttributes) {
        const cause = Number(e.workflowTaskFailedEventAttributes.cause ?? 0);
        if (!ROUTINE_TASK_FAILURES.has(cause)) out.workflowTaskFailure = { cause, failure: failureOf(e.workflowTaskFailedEventAttributes.failure) };
      } else if (e.workflowTaskCompletedEventAttributes) {
        out.workflowTaskFailure = null;
      } else if (e.activityTaskScheduledEventAttributes) {
        const a = e.activityTaskScheduledEventAttributes;
        const max = a.retryPolicy?.maximumAttempts ?? 0;
        const t: TaskRun = {
          activityId: a.activityId ?? '',
          task: a.activityType?.name ?? '',
          status: 'scheduled',
          attempts: 0,
          maximumAttempts: max > 0 ? max : null,
          scheduledTime: time,
          startedTime: null,
          closeTime: null,
          durationMs: null,
          lastFailure: null,
          progress: null,
          worker: null,
        };
        this.bySchedule.set(String(e.eventId), t);
        out.tasks.push(t);
      } else if (e.activityTaskStartedEventAttributes) {
        const a = e.activityTaskStartedEventAttributes;
        const t = this.bySchedule.get(String(a.scheduledEventId));
        if (t) {
          t.status = 'running';
          t.attempts = a.attempt ?? 1;
          t.startedTime = time;
          t.lastFailure = failureOf(a.lastFailure);
          t.worker = a.identity || null;
        }
      } else if (e.markerRecordedEventAttributes?.markerName === LOCAL_TASK_MARKER) {
        const local = localTaskOf(e.markerRecordedEventAttributes, time);
        // Sluice's own lookup for pythonTasks() and its requests to limiters are machinery, not tasks of the flow.
        if (local.task !== SLUICE_TASK_CATALOG && local.task !== REQUEST_TASK) out.tasks.push(local);
      } else {
        const closed =
          (e.activityTaskCompletedEventAttributes && (['completed', e.activityTaskCompletedEventAttributes] as const)) ||
          (e.activityTaskFailedEventAttributes && (['failed', e.activityTaskFailedEventAttributes] as const)) ||
          (e.activityTaskTimedOutEventAttributes && (['timed_out', e.activityTaskTimedOutEventAttributes] as const)) ||
          (e.activityTaskCanceledEventAttributes && (['cancelled', e.activityTaskCanceledEventAttributes] as const));
        if (!closed) continue;
        const [status, attrs] = closed;
        const t = this.bySchedule.get(String(attrs.scheduledEventId));
        if (!t) continue;
        // A closed task changes no more: forget it, so a long run keeps only its open tasks in this map.
        this.bySchedule.delete(String(attrs.scheduledEventId));
        t.status = status;
        t.closeTime = time;
        t.durationMs = Date.parse(time) - Date.parse(t.scheduledTime);
        if ('failure' in attrs && attrs.failure) t.lastFailure = failureOf(attrs.failure);
      }
    }
  }

  /**
   * The run as read so far, with its open tasks brought up to date from `pending`; a copy, free to change. A
   * task's progress is what the store holds of it (`stored`, written with its log lines), else its last heartbeat's.
   */
  read(pending: Pending[] = [], stored: readonly ProgressRecord[] = []): RunHistory {
    const out: RunHistory = { ...this.out, tasks: this.out.tasks.map((t) => ({ ...t })) };
    // Tasks still open: the pending list knows the current attempt, a retry's last failure, and progress.
    const open = new Map(out.tasks.filter((t) => !t.closeTime).map((t) => [t.activityId, t]));
    const reported = new Map(stored.map((p) => [p.activityId, p]));
    for (const p of pending) {
      const t = open.get(p.activityId ?? '');
      if (!t) continue;
      const attempt = p.attempt ?? 1;
      const started = p.state === 2; // PENDING_ACTIVITY_STATE_STARTED
      t.attempts = started ? attempt : attempt - 1;
      t.status = started ? 'running' : attempt > 1 ? 'retrying' : 'scheduled';
      t.startedTime = iso(p.lastStartedTime) ?? t.startedTime;
      t.worker = p.lastWorkerIdentity || t.worker || null;
      t.lastFailure = failureOf(p.lastFailure) ?? t.lastFailure;
      t.progress = taskProgressOf(reported.get(t.activityId)) ?? heartbeatProgressOf(p);
    }
    return out;
  }
}

/** A stored report as a run's task shows it. */
export function taskProgressOf(p: ProgressRecord | undefined): TaskProgress | null {
  if (!p) return null;
  return { done: p.done, total: p.total, ...(p.message != null ? { message: p.message } : {}), reportedAt: new Date(p.time).toISOString() };
}

/** A worker that does not write progress to the store (an older one) still has it in its heartbeats. */
function heartbeatProgressOf(p: Pending): TaskProgress | null {
  const details = firstPayload(p.heartbeatDetails) as Partial<TaskProgress> | undefined;
  if (!details || typeof details !== 'object' || typeof details.done !== 'number' || typeof details.total !== 'number') return null;
  return {
    done: details.done,
    total: details.total,
    ...(typeof details.message === 'string' ? { message: details.message } : {}),
    reportedAt: iso(p.lastHeartbeatTime),
  };
}

/**
 * Whether a running run is stuck on its flow code, read from its history's last workflow task failure and the
 * attempt of its pending workflow task (Temporal records only the first failure of a series in the history).
 */
export function stuckOf(failed: RunHistory['workflowTaskFailure'], pendingAttempt: number | null | undefined): StuckRun | null {
  const attempts = pendingAttempt ?? null;
  if (!failed && !(attempts !== null && attempts > 1)) return null;
  if (failed?.cause === NON_DETERMINISTIC || /nondetermin|non-determin/i.test(failed?.failure?.message ?? '')) {
    return {
      kind: 'nondeterminism',
      explanation:
        "This run is waiting for a fix: the flow's code changed in a way that no longer replays what this run already did " +
        '(a non-determinism error). It stays open so nothing is lost. Deploy code that replays it (the previous version, or the ' +
        'change guarded with patched()), or cancel the run.',
      failure: failed?.failure ?? null,
      attempts,
    };
  }
  return {
    kind: 'error',
    explanation:
      "This run is stuck: the flow's code fails each time Temporal runs it, so the run makes no progress. It is retried until " +
      'the code is fixed (and a worker with the fix picks it up) or the run reaches its run timeout; cancel it to stop it now.',
    failure: failed?.failure ?? null,
    attempts,
  };
}
