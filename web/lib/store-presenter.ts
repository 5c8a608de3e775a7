/**
 * The Store page (admins): what the store is (SQLite or PostgreSQL), how big, how many rows its main tables
 * hold, its oldest log line, the retention in force and what the last sweeps deleted.
 *
 * @example const view = await getStoreView(await getStore(), getEnv().retention, currentRetentionMs);
 */
import type { RetentionSetting, Store, StoreStats, SweepResult } from 'sluice/internal/store';

export interface StoreView {
  stats: StoreStats;
  retention: {
    setting: RetentionSetting;
    /** The period in force; null when off or when it could not be read (then `problem` says why). */
    ms: number | null;
    problem: string | null;
  };
  /** Newest first. */
  sweeps: SweepResult[];
}

export const SWEEPS_SHOWN = 5;

export async function getStoreView(store: Store, setting: RetentionSetting, retentionMs: () => Promise<number | null>): Promise<StoreView> {
  const [stats, sweeps, retention] = await Promise.all([
    store.stats(),
    store.retention.recentSweeps(SWEEPS_SHOWN),
    retentionMs().then(
      (ms) => ({ ms, problem: null }),
      (err: Error) => ({ ms: null, problem: err.message }),
    ),
  ]);
  return { stats, sweeps, retention: { setting, ...retention } };
}
