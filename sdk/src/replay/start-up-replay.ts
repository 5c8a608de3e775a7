/**
 * A starting worker's check of its queue's open runs: replays each one's history on the new code and says which
 * runs it cannot carry — in its log, and to Sluice (the home page's "needs attention" and each run's page). Runs
 * beside the worker, which is ready and polling already: bounded by a number of runs and a time budget, and it
 * never stops the worker, whatever fails.
 */
import type { Client } from '@temporalio/client';
import type { ReplayFindingsRequest } from '../worker-api/wire';
import { MAX_REPLAY_FINDINGS, MAX_REPLAY_REASON } from '../worker-api/wire';
import { queueRunHistories } from './open-runs';
import { REPLAY_ADVICE, replayHistories } from './replay-histories';
import type { FlowsBundle } from '../worker/bundle';

export interface StartUpReplayOptions {
  client: Client;
  taskQueue: string;
  bundle: FlowsBundle;
  /** The most open runs replayed (0: none; the check is off). */
  maxRuns: number;
  /** How long the check may take in all; the runs not reached by then are not checked (said in the log). */
  budgetMs: number;
  /** The worker's identity, stored with its findings. */
  worker: string;
  report: (input: ReplayFindingsRequest) => Promise<void>;
  say: (line: string) => void;
  warn: (line: string) => void;
}

export interface StartUpReplay {
  /** Settles when the check is over (never rejects). */
  readonly done: Promise<{ checked: number; findings: number } | undefined>;
  /** Stops between two runs (the worker is shutting down); what was found so far is not reported. */
  stop(): void;
}

export function startUpReplay(options: StartUpReplayOptions): StartUpReplay {
  let stopped = false;
  const done = options.maxRuns <= 0 ? Promise.resolve(undefined) : check(options, () => stopped).catch((err: unknown) => {
    // A shutdown stops the replay worker too: that is no failure to speak of.
    if (!stopped) options.warn(`replay check of the open runs failed (the runs are served all the same): ${(err as Error).message}`);
    return undefined;
  });
  return { done, stop: () => void (stopped = true) };
}

async function check(o: StartUpReplayOptions, stopped: () => boolean) {
  const deadline = Date.now() + o.budgetMs;
  let overBudget = false;
  const stop = () => stopped() || (overBudget ||= Date.now() > deadline);
  const findings: ReplayFindingsRequest['findings'] = [];
  let checked = 0;
  for await (const v of replayHistories(o.bundle, queueRunHistories(o.client, { taskQueue: o.taskQueue, limit: Math.min(o.maxRuns, MAX_REPLAY_FINDINGS) }), stop)) {
    checked++;
    if (!v.reason) continue;
    findings.push({ workflowId: v.workflowId, runId: v.runId, flow: v.flow, reason: v.reason.slice(0, MAX_REPLAY_REASON) });
    o.say(`replay: run ${v.workflowId} / ${v.runId} (flow ${v.flow}) cannot continue on this code: ${firstLine(v.reason)} — ${REPLAY_ADVICE}`);
  }
  if (stopped()) return undefined;
  await o.report({ taskQueue: o.taskQueue, worker: o.worker, findings });
  const rest = overBudget ? `; stopped after ${Math.round(o.budgetMs / 1000)} s, the other open runs are not checked` : checked === o.maxRuns ? ` (at most ${o.maxRuns}: SLUICE_REPLAY_MAX_RUNS)` : '';
  o.say(`replay: ${checked} open run(s) of task queue ${o.taskQueue} checked on this code, ${findings.length} cannot continue${rest}`);
  return { checked, findings: findings.length };
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0]!;
}
