/**
 * The runs list is a Temporal visibility query: Sluice keeps no copy of runs. Filters become a query on the
 * run's search attributes; an execution's info becomes a run summary.
 */
import { defaultPayloadConverter, type Connection, type WorkflowExecutionInfo } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { WAITING_FOR_INPUT } from '../questions';
import { LIMITER_WORKFLOW, WAITING_FOR_MEMO, WAITING_FOR_SLOT, type SlotWait } from '../limits/limit-types';
import { DEPLOYMENT_KEY, FLOW_KEY, recordedStartedBy, STARTED_BY_KEY, startedByOf, WAITING_KEY } from '../run-attributes';
import { SEARCH_ATTRIBUTES } from '../temporal/search-attributes';
import { timestampDate } from '../temporal/time';
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
  // Limiters (sdk/src/limits) are Sluice's machinery, not runs of a flow; a backfill's driver carries the flow's
  // attributes (to be listed per deployment) but is no run of the flow either.
  const parts: string[] = [`WorkflowType != ${quote(LIMITER_WORKFLOW)}`, `WorkflowType != ${quote(BACKFILL_WORKFLOW)}`];
  if (f.flow) parts.push(`${SEARCH_ATTRIBUTES.flow} = ${quote(f.flow)}`);
  if (f.deployment) parts.push(`${SEARCH_ATTRIBUTES.deployment} = ${quote(f.deployment)}`);
  if (f.startedBy) parts.push(`${SEARCH_ATTRIBUTES.startedBy} IN (${recordedStartedBy(f.startedBy).map(quote).join(', ')})`);
  if (f.waitingForInput) parts.push(`${SEARCH_ATTRIBUTES.waiting} = ${quote(WAITING_FOR_INPUT)} AND ExecutionStatus = "Running"`);
  if (f.waitingForSlot) parts.push(`${SEARCH_ATTRIBUTES.waiting} = ${quote(WAITING_FOR_SLOT)} AND ExecutionStatus = "Running"`);
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

/** What a summary is made of: the info `describe()` gives, or a raw visibility row's (summaryOfRaw). */
type ExecutionFacts = Pick<WorkflowExecutionInfo, 'workflowId' | 'runId' | 'type' | 'taskQueue' | 'startTime' | 'closeTime'> & {
  status: { name: string };
  typedSearchAttributes: Pick<TypedSearchAttributes, 'get'>;
  memo?: Record<string, unknown>;
};

export function summaryOf(info: ExecutionFacts): RunSummary {
  const sa = info.typedSearchAttributes;
  const closeTime = info.closeTime ?? null;
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    flow: sa.get(FLOW_KEY) ?? info.type,
    deployment: sa.get(DEPLOYMENT_KEY) ?? null,
    startedBy: startedByOf(sa.get(STARTED_BY_KEY) ?? '') || null,
    status: statusOf(info.status.name),
    taskQueue: info.taskQueue,
    startTime: info.startTime.toISOString(),
    closeTime: closeTime?.toISOString() ?? null,
    durationMs: closeTime ? closeTime.getTime() - info.startTime.getTime() : null,
    // A run that ended while waiting (cancelled, timed out) keeps the attribute: only a running one waits.
    ...(sa.get(WAITING_KEY) === WAITING_FOR_INPUT && !closeTime ? { waitingForInput: true } : {}),
    ...(sa.get(WAITING_KEY) === WAITING_FOR_SLOT && !closeTime ? { waitingFor: slotWaitsOf(info.memo) } : {}),
  };
}

/** One row of a ListWorkflowExecutions answer, as the gRPC API gives it. */
type RawExecution = Awaited<ReturnType<Connection['workflowService']['listWorkflowExecutions']>>['executions'][number];

/** Names of the raw WorkflowExecutionStatus codes, as `describe()` names them (see STATUS_FROM_NAME). */
const STATUS_NAME_OF_CODE = ['UNSPECIFIED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'CONTINUED_AS_NEW', 'TIMED_OUT', 'PAUSED'];

/**
 * The summary of a raw visibility row, with public SDK parts only: the client's `list()` hides the page token
 * the runs list needs, and the SDK's own converter for raw rows lives in an internal path. Sluice's search
 * attributes are Keywords, JSON payloads the default converter reads.
 */
export function summaryOfRaw(raw: RawExecution): RunSummary {
  const fields = raw.searchAttributes?.indexedFields ?? {};
  const pairs = [FLOW_KEY, DEPLOYMENT_KEY, STARTED_BY_KEY, WAITING_KEY].flatMap((key) => {
    const payload = fields[key.name];
    const value: unknown = payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
    return typeof value === 'string' ? [{ key, value }] : [];
  });
  return summaryOf({
    workflowId: raw.execution?.workflowId ?? '',
    runId: raw.execution?.runId ?? '',
    type: raw.type?.name ?? '',
    taskQueue: raw.taskQueue ?? '',
    status: { name: STATUS_NAME_OF_CODE[raw.status ?? 0] ?? 'UNSPECIFIED' },
    startTime: timestampDate(raw.startTime) ?? new Date(0),
    closeTime: timestampDate(raw.closeTime),
    typedSearchAttributes: new TypedSearchAttributes(pairs),
    memo: memoOfRaw(raw, WAITING_FOR_MEMO),
  });
}

/** The memo fields named, decoded (only those: a memo may be large and the runs list reads a page of rows). */
function memoOfRaw(raw: RawExecution, ...keys: string[]): Record<string, unknown> {
  const fields = raw.memo?.fields ?? {};
  return Object.fromEntries(keys.filter((key) => fields[key]).map((key) => [key, defaultPayloadConverter.fromPayload(fields[key]!)]));
}

/** What a run waits for (its memo, written by sdk/src/limits/acquire.ts). */
function slotWaitsOf(memo: Record<string, unknown> | undefined): SlotWait[] {
  const waits = memo?.[WAITING_FOR_MEMO];
  return Array.isArray(waits) ? (waits as SlotWait[]) : [];
}
