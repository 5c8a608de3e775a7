/**
 * The home page: what needs attention (failures, late schedules, failed notifications, runs a new deploy cannot
 * carry), what is running now,
 * what failed lately, what runs next. Each part is read on its own, so one
 * that fails (Temporal briefly away) shows its error while the others still show.
 *
 * @example const home = await getHome(await getSluice());
 */
import type { SluiceClient } from 'sluice/client';
import type { RunSummary } from 'sluice/client';
import { getAttention, type Attention } from './notifications-presenter';
import { readableError } from './readable-error';
import { describeSchedule } from './schedule-words';
import { replayAttention } from './replay-presenter';
import type { ReplayFinding } from 'sluice/internal/store';

export type Part<T> = { ok: true; value: T } | { ok: false; error: string };

export interface NextRun {
  flow: string;
  deployment: string;
  at: string;
  /** The deployment's zone (its Schedule's), which its next time is shown in. */
  timezone: string;
  schedule: string;
}

export interface HomeView {
  running: Part<RunSummary[]>;
  failures: Part<RunSummary[]>;
  nextRuns: Part<NextRun[]>;
  last24h: Part<{ total: number; byStatus: Partial<Record<string, number>> }>;
  /** What needs someone: failed notification deliveries, schedules that did not start on time. */
  attention: Part<Attention>;
  /** Running runs the new code of their task queue cannot replay (found by its starting worker). */
  replay: Part<ReplayFinding[]>;
  anyRunning: boolean;
}

export const HOME_LIMITS = { running: 15, failures: 10, nextRuns: 8, failureDays: 7 };

async function part<T>(what: string, read: () => Promise<T>): Promise<Part<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (err) {
    return { ok: false, error: readableError(err, `read ${what}`) };
  }
}

/** Newest first; Temporal's SQLite visibility returns runs in no particular order. */
export function newestFirst(runs: RunSummary[]): RunSummary[] {
  return [...runs].sort((a, b) => b.startTime.localeCompare(a.startTime));
}

export async function getHome(client: Pick<SluiceClient, 'listRuns' | 'countRuns' | 'listDeploymentTimes' | 'getRunSummary' | 'store'>, now = Date.now()): Promise<HomeView> {
  const [running, failures, nextRuns, last24h, attention, replay] = await Promise.all([
    part('the running runs', async () => newestFirst((await client.listRuns({ status: 'running' }, { pageSize: HOME_LIMITS.running })).runs)),
    part('the failed runs', async () =>
      newestFirst(
        (await client.listRuns({ status: 'failed', startedAfter: new Date(now - HOME_LIMITS.failureDays * 86_400_000) }, { pageSize: HOME_LIMITS.failures })).runs,
      ),
    ),
    part('the next runs', async () =>
      // The schedule list carries next run times and pauses: no describe per schedule on each refresh.
      (await client.listDeploymentTimes())
        .filter((d) => !d.paused)
        // One row per deployment (its next run): a frequent interval would otherwise fill the list alone.
        .flatMap((d) => d.nextRunTimes.slice(0, 1).map((at) => ({ flow: d.flow, deployment: d.name, at, timezone: d.timezone, schedule: describeSchedule(d) })))
        .sort((a, b) => a.at.localeCompare(b.at))
        .slice(0, HOME_LIMITS.nextRuns),
    ),
    part('the count of runs', () => client.countRuns({ startedAfter: new Date(now - 86_400_000) })),
    part('what needs attention', () => getAttention(client.store.db, now)),
    part('the runs new code cannot carry', () => replayAttention(client)),
  ]);
  return { running, failures, nextRuns, last24h, attention, replay, anyRunning: running.ok && running.value.length > 0 };
}
