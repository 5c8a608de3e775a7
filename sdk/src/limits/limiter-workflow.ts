/**
 * The limiter: one workflow per limit key that hands out slots (concurrency) or starts (rate) to runs, first
 * come first served. Runs ask by signal-with-start (ACQUIRE_SIGNAL), get a GRANT_SIGNAL, and give slots back by
 * RELEASE_SIGNAL (also when cancelled: acquire.ts releases in a non-cancellable scope).
 *
 * A holder that ends without releasing (terminated, timed out) is found two ways: a grant signal to a closed run
 * fails, and while runs wait and every slot is taken, the limiter asks Temporal which holders have closed
 * (CLOSED_RUNS_TASK) every CHECK_EVERY_MS. So slots are never leaked; a killed worker loses none, since the run,
 * not the process, holds the slot.
 *
 * It keeps its state in its arguments across continue-as-new, so its history stays short, and ends after
 * IDLE_MS with nothing held or waiting (a later request starts it again).
 */
import {
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  getExternalWorkflowHandle,
  proxyLocalActivities,
  setHandler,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import { ACQUIRE_SIGNAL, LIMIT_MEMO, RELEASE_SIGNAL, GRANT_SIGNAL, CLOSED_RUNS_TASK, type LimitKind, type LimitRequest, type LimitState } from './limit-types';

export interface LimiterInput {
  kind: LimitKind;
  key: string;
  limit: number;
  perMs?: number;
  holders: LimitRequest[];
  queue: LimitRequest[];
  /** Grant times (ms) within the current window of a rate limit. */
  starts: number[];
}

const CHECK_EVERY_MS = 3_000;
const IDLE_MS = 60_000;
const HISTORY_LIMIT = 4_000;

const acquireSignal = defineSignal<[LimitRequest]>(ACQUIRE_SIGNAL);
const releaseSignal = defineSignal<[{ requestId: string }]>(RELEASE_SIGNAL);
export const limitStateQuery = defineQuery<LimitState>('sluice.limits.state');

const limitTasks = proxyLocalActivities<{ [CLOSED_RUNS_TASK](runs: { workflowId: string; runId: string }[]): Promise<string[]> }>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 3 },
});

export async function sluiceLimiter(input: LimiterInput): Promise<void> {
  const s: LimiterInput = { ...input, holders: [...input.holders], queue: [...input.queue], starts: [...input.starts] };
  let changes = 0;
  const known = (id: string) => s.holders.some((h) => h.requestId === id) || s.queue.some((q) => q.requestId === id);
  setHandler(acquireSignal, (r) => {
    // The same request twice (its local task retried) is one request.
    if (!known(r.requestId)) s.queue.push(r);
    s.limit = r.limit;
    if (r.perMs !== undefined) s.perMs = r.perMs;
    changes++;
  });
  setHandler(releaseSignal, ({ requestId }) => {
    s.holders = s.holders.filter((h) => h.requestId !== requestId);
    s.queue = s.queue.filter((q) => q.requestId !== requestId);
    changes++;
  });
  setHandler(limitStateQuery, () => stateOf(s));

  let shown = '';
  for (;;) {
    await grantWhatFits(s);
    const state = JSON.stringify(stateOf(s));
    if (state !== shown) {
      upsertMemo({ [LIMIT_MEMO]: stateOf(s) });
      shown = state;
    }
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > HISTORY_LIMIT) {
      await continueAsNew<typeof sluiceLimiter>(s);
    }
    const seen = changes;
    s.starts = liveStarts(s);
    if (s.queue.length === 0 && s.holders.length === 0) {
      // A rate limiter stays at least a window, so a new one cannot allow a second burst in it.
      const idle = !(await condition(() => changes !== seen, Math.max(IDLE_MS, s.perMs ?? 0)));
      if (idle && liveStarts(s).length === 0) return;
    } else if (s.queue.length === 0) {
      await condition(() => changes !== seen);
    } else {
      const wait = s.kind === 'rate' ? nextStartInMs(s) : CHECK_EVERY_MS;
      if (!(await condition(() => changes !== seen, Math.max(wait, 1))) && s.kind === 'concurrency') await dropClosedHolders(s);
    }
  }
}

/**
 * Grants the waiting requests, oldest first, while the limit allows; the grant signals go out together. A request
 * whose run has closed meanwhile (its grant signal fails) is dropped, and its slot or start goes to the next.
 */
async function grantWhatFits(s: LimiterInput): Promise<void> {
  for (;;) {
    s.starts = liveStarts(s);
    const grants: { request: LimitRequest; at: number }[] = [];
    while (s.queue.length > 0 && fits(s)) {
      const request = s.queue.shift()!;
      const at = Date.now();
      if (s.kind === 'concurrency') s.holders.push({ ...request, at: new Date(at).toISOString() });
      else s.starts.push(at);
      grants.push({ request, at });
    }
    const sent = await Promise.allSettled(grants.map(({ request }) => getExternalWorkflowHandle(request.workflowId, request.runId).signal(GRANT_SIGNAL, request.requestId)));
    const gone = grants.filter((_, i) => sent[i]!.status === 'rejected');
    if (gone.length === 0) return;
    for (const { request, at } of gone) {
      s.holders = s.holders.filter((h) => h.requestId !== request.requestId);
      const start = s.starts.indexOf(at);
      if (s.kind === 'rate' && start >= 0) s.starts.splice(start, 1);
    }
  }
}

function fits(s: LimiterInput): boolean {
  return s.kind === 'concurrency' ? s.holders.length < s.limit : liveStarts(s).length < s.limit;
}

/** The starts within the current window (no change to the state: the state query calls it too). */
function liveStarts(s: LimiterInput): number[] {
  const since = Date.now() - (s.perMs ?? 60_000);
  return s.starts.filter((t) => t > since);
}

function nextStartInMs(s: LimiterInput): number {
  const starts = liveStarts(s);
  return starts.length < s.limit ? 0 : starts[0]! + (s.perMs ?? 60_000) - Date.now();
}

async function dropClosedHolders(s: LimiterInput): Promise<void> {
  if (s.holders.length === 0) return;
  const closed = new Set(await limitTasks[CLOSED_RUNS_TASK](s.holders.map(({ workflowId, runId }) => ({ workflowId, runId }))));
  s.holders = s.holders.filter((h) => !closed.has(h.runId));
}

function stateOf(s: LimiterInput): LimitState {
  return {
    kind: s.kind,
    key: s.key,
    limit: s.limit,
    ...(s.perMs !== undefined ? { perMs: s.perMs } : {}),
    inUse: s.kind === 'concurrency' ? s.holders.length : liveStarts(s).length,
    holders: s.holders.slice(0, 20).map((h) => ({ workflowId: h.workflowId, runId: h.runId, what: h.what, since: h.at })),
    waiting: s.queue.length,
  };
}
