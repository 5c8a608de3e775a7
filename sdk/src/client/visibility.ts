/**
 * The runs list is a Temporal visibility query: Sluice keeps no copy of runs. Filters become a query on the
 * run's search attributes; an execution's info becomes a run summary.
 */
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { WAITING_FOR_INPUT } from '../questions';
import { DEPLOYMENT_KEY, FLOW_KEY, STARTED_BY_KEY, WAITING_KEY } from '../run-attributes';
import { SEARCH_ATTRIBUTES } from '../temporal/search-attributes';
import { BACKFILL_WORKFLOW } from '../backfill/types';
import type { RunFilter, RunStatus, RunSummary } from './types';

const STATUS_IN_QUERY: Record<RunStatus, string> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Canceled',
  terminated: 'Terminated',
  timed_out: 'TimedOut',
  continued_as_new: 'ContinuedAsNew',
};

const STATUS_FROM_NAME: Record<string, RunStatus> = {
  RUNNING: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed_out',
  CONTINUED_AS_NEW: 'continued_as_new',
};

/** A value inside a visibility query: double-quoted, with quotes and backslashes escaped. */
export const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export function runQuery(f: RunFilter = {}): string {
  // A backfill's driver carries the flow's attributes (to be listed per deployment) but is no run of the flow.
  const parts: string[] = [`WorkflowType != ${quote(BACKFILL_WORKFLOW)}`];
  if (f.flow) parts.push(`${SEARCH_ATTRIBUTES.flow} = ${quote(f.flow)}`);
  if (f.deployment) parts.push(`${SEARCH_ATTRIBUTES.deployment} = ${quote(f.deployment)}`);
  if (f.startedBy) parts.push(`${SEARCH_ATTRIBUTES.startedBy} = ${quote(f.startedBy)}`);
  if (f.waitingForInput) parts.push(`${SEARCH_ATTRIBUTES.waiting} = ${quote(WAITING_FOR_INPUT)} AND ExecutionStatus = "Running"`);
  if (f.status) parts.push(`ExecutionStatus = ${quote(STATUS_IN_QUERY[f.status])}`);
  if (f.startedAfter) parts.push(`StartTime >= ${quote(f.startedAfter.toISOString())}`);
  if (f.startedBefore) parts.push(`StartTime < ${quote(f.startedBefore.toISOString())}`);
  return parts.join(' AND ');
}

const STATUS_FROM_QUERY = new Map(Object.entries(STATUS_IN_QUERY).map(([status, value]) => [value, status as RunStatus]));

/** The status a visibility value (`Canceled`, `TimedOut`, … as in a GROUP BY ExecutionStatus) stands for, if Sluice knows it. */
export function statusOfQueryValue(value: unknown): RunStatus | undefined {
  return STATUS_FROM_QUERY.get(String(value));
}

export function statusOf(name: string): RunStatus {
  return STATUS_FROM_NAME[name] ?? 'running';
}

export function summaryOf(info: Omit<WorkflowExecutionInfo, 'raw'>): RunSummary {
  const sa = info.typedSearchAttributes;
  const closeTime = info.closeTime ?? null;
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    flow: sa.get(FLOW_KEY) ?? info.type,
    deployment: sa.get(DEPLOYMENT_KEY) ?? null,
    startedBy: sa.get(STARTED_BY_KEY) ?? null,
    status: statusOf(info.status.name),
    taskQueue: info.taskQueue,
    startTime: info.startTime.toISOString(),
    closeTime: closeTime?.toISOString() ?? null,
    durationMs: closeTime ? closeTime.getTime() - info.startTime.getTime() : null,
    // A run that ended while waiting (cancelled, timed out) keeps the attribute: only a running one waits.
    ...(sa.get(WAITING_KEY) === WAITING_FOR_INPUT && !closeTime ? { waitingForInput: true } : {}),
  };
}
