import type { Client } from '@temporalio/client';
import { quote } from '../client/visibility';

/** Run ids per visibility query: keeps the query short whatever the number of runs asked about. */
const IDS_PER_QUERY = 100;

/**
 * Of `runIds`, those Temporal still has: open runs, and closed runs its namespace's retention has not deleted
 * yet. One visibility query per 100 ids (`RunId IN (…)`), never one per run; a run Temporal never knew, or has
 * deleted, is not in the answer. Retention asks this before deleting a run's log lines.
 *
 * @example const kept = await runsTemporalKeeps(client, ['0190…', '0191…']); kept.has('0190…')
 */
export async function runsTemporalKeeps(client: Pick<Client, 'workflow'>, runIds: readonly string[]): Promise<Set<string>> {
  const kept = new Set<string>();
  const unique = [...new Set(runIds)];
  for (let i = 0; i < unique.length; i += IDS_PER_QUERY) {
    const chunk = unique.slice(i, i + IDS_PER_QUERY);
    const query = `RunId IN (${chunk.map(quote).join(', ')})`;
    for await (const run of client.workflow.list({ query, pageSize: IDS_PER_QUERY })) kept.add(run.runId);
  }
  return kept;
}
