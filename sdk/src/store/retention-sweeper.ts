/**
 * Runs the retention sweep periodically in a long-lived process (the web app starts one from
 * instrumentation.ts): a first sweep soon after start, then one an hour. Each sweep logs how many rows it
 * deleted per table. Several processes sweeping one store is safe (see retention.ts), just redundant.
 *
 * @example
 * const sweeper = new RetentionSweeper({ store, retentionMs: async () => 30 * 86_400_000, runsKept: (ids) => runsTemporalKeeps(client, ids), sweptBy: 'web', log: console.log });
 * sweeper.start();   // … and on shutdown:
 * await sweeper.stop();
 */
import type { SweepOptions, SweepResult, SweptTable } from './retention';
import type { Store } from './store';

export interface RetentionSweeperOptions {
  store: Store;
  /**
   * How long to keep per-run data (ms), asked before each sweep: the namespace's retention may change. Null
   * skips the sweep (retention off); a rejection skips it too and is logged (e.g. Temporal not reachable).
   */
  retentionMs: () => Promise<number | null>;
  /** Which runs' old log lines stay (open, or still kept by Temporal); see SweepOptions. */
  runsKept: SweepOptions['runsKept'];
  /** Recorded with each sweep, e.g. "web 1234@host". */
  sweptBy: string;
  /** Between sweeps; default 1 hour. */
  intervalMs?: number;
  /** Before the first sweep, so start-up is not slowed; default 1 minute. */
  firstDelayMs?: number;
  /** After a failed sweep (e.g. Temporal not up yet, so the namespace's retention is unknown); default 1 minute. */
  retryMs?: number;
  batchSize?: number;
  pauseMs?: number;
  log?: (line: string) => void;
}

const HOUR_MS = 60 * 60_000;
const DAY_MS = 24 * HOUR_MS;

export class RetentionSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(private readonly options: RetentionSweeperOptions) {}

  /** Sweeps after `firstDelayMs`, then every `intervalMs`, until `stop()`. A failed sweep is logged and tried again after `retryMs`. */
  start(): void {
    const loop = () => {
      if (this.stopped) return;
      this.running = this.sweepNow().then(
        () => this.schedule(loop, this.options.intervalMs ?? HOUR_MS),
        (err) => {
          this.options.log?.(`retention: sweep failed: ${(err as Error).message}; trying again in ${Math.round((this.options.retryMs ?? 60_000) / 1000)} s`);
          this.schedule(loop, this.options.retryMs ?? 60_000);
        },
      );
    };
    this.schedule(loop, this.options.firstDelayMs ?? 60_000);
  }

  /** Stops sweeping; waits for a sweep in progress to finish its current batch and record itself. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One sweep now with the current retention; null when retention is off. */
  async sweepNow(now = Date.now()): Promise<SweepResult | null> {
    const retentionMs = await this.options.retentionMs();
    if (retentionMs === null) return null;
    if (!(retentionMs > 0)) throw new Error(`the retention period is ${retentionMs} ms; nothing is deleted until it is positive`);
    const result = await this.options.store.retention.sweep({
      olderThan: now - retentionMs,
      runsKept: this.options.runsKept,
      batchSize: this.options.batchSize,
      pauseMs: this.options.pauseMs,
      sweptBy: this.options.sweptBy,
    });
    this.options.log?.(sweepLine(result, retentionMs));
    return result;
  }

  private schedule(loop: () => void, ms: number): void {
    if (this.stopped) return;
    // unref: a pending sweep never keeps a process alive that would otherwise exit.
    this.timer = setTimeout(loop, ms);
    this.timer.unref();
  }
}

const WORDS: Record<SweptTable, string> = {
  logs: 'log lines',
  artifacts: 'artifacts',
  task_progress: 'task progress rows',
  notification_events: 'notification events',
  notification_deliveries: 'notifications',
  login_failures: 'login-failure rows',
  login_failures_by_address: 'login-failure rows by address',
  retention_sweeps: 'sweep records',
};

/** "retention: deleted 1200 log lines, 0 notification events, … older than 2026-10-30T12:00:00.000Z (30 days) in 0.8 s". */
export function sweepLine(result: SweepResult, retentionMs: number): string {
  const counts = (Object.keys(WORDS) as SweptTable[]).map((t) => `${result.deleted[t]} ${WORDS[t]}`).join(', ');
  const period = retentionMs % DAY_MS === 0 ? `${retentionMs / DAY_MS} days` : `${(retentionMs / HOUR_MS).toFixed(1)} hours`;
  const seconds = ((result.finishedAt - result.startedAt) / 1000).toFixed(1);
  return `retention: deleted ${counts} older than ${new Date(result.olderThan).toISOString()} (${period}) in ${seconds} s`;
}
