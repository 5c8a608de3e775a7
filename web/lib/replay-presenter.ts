/**
 * Runs the new code of their task queue cannot carry, as starting workers found them (sdk/src/replay/): the home
 * page's share of "needs attention" and the run page's warning. A finding counts while its run is still going on
 * the queue it was found on; one whose run has ended since, or a newer worker's start cleared, is not shown.
 *
 * @example const stuck = await replayAttention(await getSluice());
 */
import type { ReplayFinding } from 'sluice/internal/store';
import type { RunSummary, SluiceClient } from 'sluice/client';

/** Temporal's guide to changing running flows (patched(), versions); Sluice's own is docs/replay.md. */
export const REPLAY_DOCS_URL = 'https://docs.temporal.io/develop/typescript/versioning';

/** What the home page lists at most (each is one describe on Temporal per refresh). */
export const REPLAY_ATTENTION_LIMIT = 10;

/** The findings of runs still going, newest first. */
export async function replayAttention(client: Pick<SluiceClient, 'getRunSummary' | 'store'>): Promise<ReplayFinding[]> {
  const findings = await client.store.replayFindings({ limit: REPLAY_ATTENTION_LIMIT });
  const runs = await Promise.all(findings.map((f) => client.getRunSummary(f.workflowId, f.runId)));
  return findings.filter((f, i) => stillCarried(f, runs[i]));
}

/** The finding about this run, if its queue's newest worker cannot carry it and it is still going. */
export async function replayFindingOf(client: Pick<SluiceClient, 'store'>, run: RunSummary): Promise<ReplayFinding | undefined> {
  const findings = await client.store.replayFindings({ runId: run.runId });
  return findings.find((f) => stillCarried(f, run));
}

function stillCarried(finding: ReplayFinding, run: RunSummary | undefined): boolean {
  return run !== undefined && run.status === 'running' && run.taskQueue === finding.taskQueue;
}

/** The sentence both pages say. */
export function replaySentence(finding: Pick<ReplayFinding, 'taskQueue'>): string {
  return `This run cannot continue on the new code of task queue ${finding.taskQueue}: its history no longer replays there.`;
}
