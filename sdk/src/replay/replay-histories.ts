/**
 * Replays run histories against flow code, as a worker running that code would on its next step of each run:
 * Temporal's replay worker (`Worker.runReplayHistories`) over the flows' bundle. A history that does not replay
 * is a run that code cannot carry — it would stop, "waiting for a fix", instead of going on.
 */
import { Worker } from '@temporalio/worker';
import type { FlowsBundle } from '../worker/bundle';

/** A history to replay: Temporal's own JSON (Temporal Web's download, `temporal workflow show -o json`) or its proto. */
export interface HistoryToReplay {
  workflowId: string;
  history: unknown;
  /** Where it came from (a file), for messages. */
  source?: string;
}

export interface ReplayVerdict {
  workflowId: string;
  runId: string;
  /** The flow the history is a run of (its workflow type). */
  flow: string;
  source?: string;
  /** Why the code cannot replay it (Temporal's words); absent when it replays. */
  reason?: string;
}

/** What to do about a verdict with a reason: the one advice every surface (CLI, worker log, pages) gives. */
export const REPLAY_ADVICE = 'guard the change with patched(), or keep the previous version serving this run until it ends (docs/replay.md)';

/**
 * Replays each history in turn and yields its verdict; stops early (without a verdict for the rest) once `stop()`
 * says so, checked between histories.
 *
 * @example
 * for await (const v of replayHistories(await bundleFlows(path, options), histories)) if (v.reason) console.log(v.flow, v.reason);
 */
export async function* replayHistories(
  bundle: FlowsBundle,
  histories: AsyncIterable<HistoryToReplay> | Iterable<HistoryToReplay>,
  stop: () => boolean = () => false,
): AsyncGenerator<ReplayVerdict> {
  const pending: HistoryToReplay[] = [];
  // The replay worker reports each result by workflow id: keep the inputs to name the flow and the source.
  async function* feed() {
    for await (const h of histories) {
      if (stop()) return;
      pending.push(h);
      yield { workflowId: h.workflowId, history: h.history };
    }
  }
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, replayName: 'sluice-replay' }, feed())) {
    const input = pending.shift()!;
    yield {
      workflowId: input.workflowId,
      runId: result.runId,
      flow: flowOf(input.history),
      ...(input.source !== undefined && { source: input.source }),
      ...(result.error && { reason: result.error.message }),
    };
  }
}

/** The workflow type of a history (JSON or proto): its first event starts the run and names it. */
export function flowOf(history: unknown): string {
  const first = (history as { events?: { workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }[] })?.events?.[0];
  return first?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? 'unknown flow';
}
