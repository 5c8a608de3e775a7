/**
 * The runs list: one page of runs for the URL's filters, the counts per status over the same filters, and the
 * flow names for the filter menu.
 *
 * @example const view = await getRunsList(await getSluice(), await searchParams);
 */
import type { SluiceClient } from 'sluice/client';
import type { RunStatus, RunSummary } from 'sluice/client';
import { newestFirst } from './home-presenter';
import { parseRunSearch, withoutStatus, type RunSearch, type SearchParams } from './run-filters';

export interface RunsListView {
  search: RunSearch;
  notices: string[];
  runs: RunSummary[];
  nextPageToken: string | null;
  counts: { total: number; byStatus: Partial<Record<RunStatus, number>> };
  flows: string[];
  anyRunning: boolean;
}

export async function getRunsList(
  client: Pick<SluiceClient, 'listRuns' | 'countRuns' | 'listFlows'>,
  params: SearchParams,
  now = Date.now(),
): Promise<RunsListView> {
  const { search, filter, page, notices } = parseRunSearch(params, now);
  const [list, counts, flows] = await Promise.all([
    client.listRuns(filter, page),
    // Counted without the status filter, so the chips show what each status would give.
    client.countRuns(withoutStatus(filter)),
    client.listFlows().catch(() => []),
  ]);
  return {
    search,
    notices,
    runs: newestFirst(list.runs),
    nextPageToken: list.nextPageToken ?? null,
    counts: { total: Object.values(counts.byStatus).reduce((a, b) => a + (b ?? 0), 0) || counts.total, byStatus: counts.byStatus },
    flows: flows.map((f) => f.name).sort(),
    anyRunning: list.runs.some((r) => r.status === 'running'),
  };
}
