/**
 * Reads a run's history (and its pending tasks) into what the run page shows: parameters, result or failure,
 * and every task with its attempts, durations and last failure.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import { optionalTsToDate } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';
import { failureOf } from './failures';
import type { RunFailure, TaskRun } from './types';

type History = temporal.api.history.v1.IHistory;
type Pending = temporal.api.workflow.v1.IPendingActivityInfo;
type Payloads = temporal.api.common.v1.IPayloads | null | undefined;

export interface RunHistory {
  parameters: unknown;
  result: unknown;
  failure: RunFailure | null;
  tasks: TaskRun[];
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

const iso = (ts: Parameters<typeof optionalTsToDate>[0]) => optionalTsToDate(ts)?.toISOString() ?? null;

export function firstPayload(p: Payloads): unknown {
  const payload = p?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
}

export function readHistory(history: History, pending: Pending[] = []): RunHistory {
  const out: RunHistory = { parameters: undefined, result: undefined, failure: null, tasks: [] };
  const bySchedule = new Map<string, TaskRun>();
  const eventIdOf = (id: unknown) => String(id);

  for (const e of history.events ?? []) {
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
      };
      bySchedule.set(eventIdOf(e.eventId), t);
      out.tasks.push(t);
    } else if (e.activityTaskStartedEventAttributes) {
      const a = e.activityTaskStartedEventAttributes;
      const t = bySchedule.get(eventIdOf(a.scheduledEventId));
      if (t) {
        t.status = 'running';
        t.attempts = a.attempt ?? 1;
        t.startedTime = time;
        t.lastFailure = failureOf(a.lastFailure);
      }
    } else if (e.markerRecordedEventAttributes?.markerName === LOCAL_TASK_MARKER) {
      out.tasks.push(localTaskOf(e.markerRecordedEventAttributes, time));
    } else {
      const closed =
        (e.activityTaskCompletedEventAttributes && (['completed', e.activityTaskCompletedEventAttributes] as const)) ||
        (e.activityTaskFailedEventAttributes && (['failed', e.activityTaskFailedEventAttributes] as const)) ||
        (e.activityTaskTimedOutEventAttributes && (['timed_out', e.activityTaskTimedOutEventAttributes] as const)) ||
        (e.activityTaskCanceledEventAttributes && (['cancelled', e.activityTaskCanceledEventAttributes] as const));
      if (!closed) continue;
      const [status, attrs] = closed;
      const t = bySchedule.get(eventIdOf(attrs.scheduledEventId));
      if (!t) continue;
      t.status = status;
      t.closeTime = time;
      t.durationMs = Date.parse(time) - Date.parse(t.scheduledTime);
      if ('failure' in attrs && attrs.failure) t.lastFailure = failureOf(attrs.failure);
    }
  }

  // Tasks still open: the pending list knows the current attempt, a retry's last failure, and progress.
  const open = new Map(out.tasks.filter((t) => !t.closeTime).map((t) => [t.activityId, t]));
  for (const p of pending) {
    const t = open.get(p.activityId ?? '');
    if (!t) continue;
    const attempt = p.attempt ?? 1;
    const started = p.state === 2; // PENDING_ACTIVITY_STATE_STARTED
    t.attempts = started ? attempt : attempt - 1;
    t.status = started ? 'running' : attempt > 1 ? 'retrying' : 'scheduled';
    t.startedTime = iso(p.lastStartedTime) ?? t.startedTime;
    t.lastFailure = failureOf(p.lastFailure) ?? t.lastFailure;
    const details = firstPayload(p.heartbeatDetails);
    if (details && typeof details === 'object' && 'done' in details) t.progress = details as TaskRun['progress'];
  }
  return out;
}
