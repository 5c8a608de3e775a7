/**
 * Retention in the web app's server (started from instrumentation.ts, like the notifier): every deployment
 * runs the web app, so its log lines, notification outbox and login failures are swept here — a first sweep
 * soon after start, then hourly. Several replicas sweeping one store is safe (sluice/store retention.ts).
 */
import 'server-only';
import { hostname } from 'node:os';
import { RetentionSweeper } from 'sluice/internal/store';
import { retentionSeconds, runsTemporalKeeps } from 'sluice/internal/temporal';
import { getEnv } from './env';
import { getSluice, getStore } from './sluice.server';

const key = Symbol.for('sluice.web.retention');
/** Soon after start, but not in the middle of it. */
const FIRST_SWEEP_MS = 5_000;

/**
 * The retention period in force now, in ms; null when SLUICE_RETENTION=off. Unset, it is the Temporal
 * namespace's retention (so log lines go when their runs go); that needs Temporal, and throws when it is down.
 */
export async function currentRetentionMs(): Promise<number | null> {
  const { retention, temporal } = getEnv();
  if (retention.kind === 'off') return null;
  if (retention.kind === 'fixed') return retention.ms;
  const seconds = await retentionSeconds((await getSluice()).temporal, temporal.namespace);
  if (!(seconds > 0)) throw new Error(`the Temporal namespace ${temporal.namespace} reports no retention; set SLUICE_RETENTION (e.g. 30d)`);
  return seconds * 1000;
}

const RETRY_OPEN_MS = 15_000;

export function startRetentionSweeper(): void {
  const env = getEnv();
  const holder = globalThis as Record<symbol, unknown>;
  if (env.retention.kind === 'off' || env.building || holder[key]) return;
  holder[key] = true;
  const begin = async () => {
    try {
      const sweeper = new RetentionSweeper({
        store: await getStore(),
        retentionMs: currentRetentionMs,
        // A log line stays while its run is open or Temporal still shows it, whatever the line's age.
        runsKept: async (runIds) => runsTemporalKeeps((await getSluice()).temporal, runIds),
        sweptBy: `web app ${process.pid}@${hostname()}`,
        firstDelayMs: FIRST_SWEEP_MS,
        log: (line) => console.log(`[sluice] ${line}`),
      });
      // No signal handlers (Next owns them): a sweep cut short by a stop leaves only committed batches behind.
      sweeper.start();
      holder[key] = sweeper;
    } catch (err) {
      console.warn(`[sluice] retention: cannot open the store yet (${(err as Error).message}); trying again in ${RETRY_OPEN_MS / 1000} s`);
      setTimeout(begin, RETRY_OPEN_MS).unref();
    }
  };
  void begin();
}
