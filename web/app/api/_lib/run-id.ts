/** The run a request about a workflow id means: the runId it passed, else the latest run of that workflow id. */
import { apiError } from '@/lib/auth/api-error';
import type { SluiceClient } from 'sluice/client';
import type { Parsed } from './respond';

/** A 404 naming `what` ("logs", "artifacts") when no run has this workflow id. */
export async function runIdOf(sluice: SluiceClient, workflowId: string, runId: string | undefined, what: string): Promise<Parsed<string>> {
  if (runId) return { ok: true, value: runId };
  const run = await sluice.getRunSummary(workflowId);
  if (!run) return { ok: false, response: apiError('not_found', `There is no run ${workflowId}. Check the id, or pass runId for an older run's ${what}.`) };
  return { ok: true, value: run.runId };
}
