/**
 * Bulk actions on runs: cancel or re-run the selected runs, or every run matching the runs list's filter (at most
 * MAX_BULK_RUNS). Each run gets its own result, so one that could not be cancelled (it had ended) does not hide
 * the others. The runs list's server action and POST /api/run-actions both use it.
 *
 * @example const results = await actOnRuns(client, 'cancel', refs, user.startedBy);
 */
import type { RunFilter, RunRef, SluiceClient } from 'sluice/client';
import { cancelRun, rerunSame } from './run-commands';

export const MAX_BULK_RUNS = 200;
export const BULK_ACTIONS = ['cancel', 'rerun'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

export interface BulkResult extends RunRef {
  ok: boolean;
  /** What happened to this run, or why nothing did. */
  message: string;
  /** The new run, for a re-run. */
  rerun?: RunRef;
}

/** The runs matching `filter`, or how many more than MAX_BULK_RUNS there are (then none is acted on). */
export async function runsMatching(client: Pick<SluiceClient, 'listRuns'>, filter: RunFilter): Promise<{ runs: RunRef[] } | { tooMany: true }> {
  const runs: RunRef[] = [];
  let pageToken: string | undefined;
  do {
    const page = await client.listRuns(filter, { pageSize: 100, ...(pageToken ? { pageToken } : {}) });
    runs.push(...page.runs.map(({ workflowId, runId }) => ({ workflowId, runId })));
    if (runs.length > MAX_BULK_RUNS) return { tooMany: true };
    pageToken = page.nextPageToken;
  } while (pageToken);
  return { runs };
}

/** Does `action` to each run, a few at a time; never throws for one run's trouble. */
export async function actOnRuns(
  client: Pick<SluiceClient, 'cancelRun' | 'rerun' | 'getRunSummary'>,
  action: BulkAction,
  refs: RunRef[],
  startedBy: string,
): Promise<BulkResult[]> {
  const results: BulkResult[] = new Array(refs.length);
  let next = 0;
  const one = async (ref: RunRef): Promise<BulkResult> => {
    if (action === 'cancel') {
      const run = await client.getRunSummary(ref.workflowId, ref.runId).catch(() => undefined);
      if (!run) return { ...ref, ok: false, message: 'No such run (or past retention).' };
      if (run.status !== 'running') return { ...ref, ok: false, message: `Not running (it ${run.status === 'timed_out' ? 'timed out' : run.status}): nothing to cancel.` };
      const outcome = await cancelRun(client, ref);
      return outcome.ok ? { ...ref, ok: true, message: 'Cancellation requested.' } : { ...ref, ok: false, message: outcome.error };
    }
    const outcome = await rerunSame(client, ref, startedBy);
    return outcome.ok ? { ...ref, ok: true, message: `Started again as ${outcome.value.workflowId}.`, rerun: outcome.value } : { ...ref, ok: false, message: outcome.error };
  };
  // Eight at a time: Temporal answers quickly, and 200 runs one by one would keep the user waiting.
  await Promise.all(
    Array.from({ length: Math.min(8, refs.length) }, async () => {
      while (next < refs.length) {
        const i = next++;
        results[i] = await one(refs[i]!);
      }
    }),
  );
  return results;
}
