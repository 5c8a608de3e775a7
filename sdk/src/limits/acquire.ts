/**
 * The flow side of limits: a run takes a slot (or a start, under a rate limit) from the key's limiter before it
 * goes on, shows what it waits for while it waits (SluiceWaiting = `slot`, the WAITING_FOR_MEMO memo), and
 * gives the slot back when done — also when cancelled, in a scope a cancellation cannot stop.
 *
 * Sandbox-safe: flows import it through `sluice/flow`.
 */
import {
  CancellationScope,
  condition,
  defineSignal,
  getExternalWorkflowHandle,
  proxyLocalActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WAITING_KEY } from '../run-attributes';
import { GRANT_SIGNAL, limiterId, RELEASE_SIGNAL, REQUEST_TASK, WAITING_FOR_MEMO, WAITING_FOR_SLOT, type LimitKind, type LimitRequest, type SlotWait } from './limit-types';

/** What to take before going on: a slot of a concurrency limit, or a start of a rate limit. */
export interface LimitSpec {
  kind: LimitKind;
  key: string;
  limit: number;
  perMs?: number;
  /** What for, in words: `run of flow rainfall`, `task downloadKnmi`. */
  what: string;
}

export interface RequestInput {
  limiterId: string;
  taskQueue: string;
  kind: LimitKind;
  key: string;
  request: LimitRequest;
}

const limitTasks = proxyLocalActivities<{ [REQUEST_TASK](input: RequestInput): Promise<void> }>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 10, initialInterval: '1s' },
});

// Per run: Temporal gives every workflow its own module state.
const granted = new Set<string>();
const waits = new Map<string, SlotWait>();
let requests = 0;
let listening = false;

/** Runs `fn` holding a slot of every limit in `specs`, taken in order; gives them back when it ends, however. */
export async function withLimits<T>(specs: LimitSpec[], fn: () => Promise<T>): Promise<T> {
  if (specs.length === 0) return fn();
  const [first, ...rest] = specs;
  return withLimit(first!, () => withLimits(rest, fn));
}

async function withLimit<T>(spec: LimitSpec, fn: () => Promise<T>): Promise<T> {
  listen();
  const info = workflowInfo();
  const id = limiterId(spec.kind, spec.key);
  const requestId = `${info.runId}:${++requests}`;
  const request: LimitRequest = {
    requestId,
    workflowId: info.workflowId,
    runId: info.runId,
    limit: spec.limit,
    ...(spec.perMs !== undefined ? { perMs: spec.perMs } : {}),
    what: spec.what,
    at: new Date().toISOString(),
  };
  let held = false;
  try {
    showWait(requestId, { kind: spec.kind, key: spec.key, limit: spec.limit, ...(spec.perMs !== undefined ? { perMs: spec.perMs } : {}), what: spec.what, since: request.at });
    await limitTasks[REQUEST_TASK]({ limiterId: id, taskQueue: info.taskQueue, kind: spec.kind, key: spec.key, request });
    await condition(() => granted.has(requestId));
    held = spec.kind === 'concurrency';
    endWait(requestId);
    return await fn();
  } finally {
    endWait(requestId);
    // A start under a rate limit is not given back; a request still waiting is withdrawn.
    if (held || !granted.has(requestId)) await release(id, requestId);
    granted.delete(requestId);
  }
}

function listen(): void {
  if (listening) return;
  listening = true;
  setHandler(defineSignal<[string]>(GRANT_SIGNAL), (requestId) => void granted.add(requestId));
}

/** Outside the run's cancellation: a cancelled run still gives its slot back. */
async function release(id: string, requestId: string): Promise<void> {
  await CancellationScope.nonCancellable(async () => {
    try {
      await getExternalWorkflowHandle(id).signal(RELEASE_SIGNAL, { requestId });
    } catch {
      // The limiter has ended: it holds nothing of this run.
    }
  });
}

function showWait(requestId: string, wait: SlotWait): void {
  waits.set(requestId, wait);
  publishWaits();
}

function endWait(requestId: string): void {
  if (waits.delete(requestId)) publishWaits();
}

function publishWaits(): void {
  upsertMemo({ [WAITING_FOR_MEMO]: [...waits.values()] });
  // A question (ask()) outranks a slot: the run's page and list say it waits for a person first.
  const current = workflowInfo().typedSearchAttributes.get(WAITING_KEY);
  if (current !== undefined && current !== WAITING_FOR_SLOT) return;
  const wanted = waits.size > 0 ? WAITING_FOR_SLOT : undefined;
  if (wanted !== current) upsertSearchAttributes([{ key: WAITING_KEY, value: wanted ?? null }]);
}
