/**
 * Tasks of the web benchmarks' flows: a no-op (for long histories), a stamp (when the first task really ran),
 * and a stream of log lines that carry their write time (for the live log figures). No retries: a second
 * attempt would blur what is measured.
 */
import { existsSync } from 'node:fs';
import { log, progress, sleep, task } from 'sluice';

/** Does nothing: 500 of them make a 500-task history. */
export const webBenchNoopTask = task({ retries: 0 }, async function webBenchNoopTask(i: number): Promise<number> {
  return i;
});

/** Waits `ms`: one link of a long chain. */
export const webBenchPause = task({ retries: 0 }, async function webBenchPause(ms: number): Promise<void> {
  await sleep(ms);
});

/** Returns the moment the task body began (epoch ms): "the first task is running" as the task itself sees it. */
export const webBenchStamp = task({ retries: 0 }, async function webBenchStamp(): Promise<number> {
  return Date.now();
});

export interface StreamOptions {
  /** The task waits until this file exists, so the bench can open the run page before the first line. */
  goFile: string;
  /** Lines per second. */
  rate: number;
  seconds: number;
}

/**
 * Waits for `goFile`, then writes `rate` lines a second for `seconds`, each `tick <n> at <epoch ms>`, so a page
 * showing the line can tell how long it took to get there. Returns how many lines it wrote.
 */
export const webBenchStream = task(
  { retries: 0, timeout: '10m', heartbeatTimeout: '30s' },
  async function webBenchStream({ goFile, rate, seconds }: StreamOptions): Promise<{ lines: number; startedAt: number }> {
    const waitUntil = Date.now() + 5 * 60_000;
    while (!existsSync(goFile)) {
      // The bench went away without starting us: fail with a readable reason rather than hang for the timeout.
      if (Date.now() > waitUntil) throw new Error(`webBenchStream: ${goFile} did not appear within 5 minutes; the bench that started this run is gone.`);
      progress(0, rate * seconds, 'waiting for the bench');
      await sleep(50);
    }
    const total = Math.round(rate * seconds);
    const startedAt = Date.now();
    let written = 0;
    // Keep to the schedule (lines due by now), in 10 ms steps: an even stream, not bursts of a second's lines.
    while (written < total) {
      const due = Math.min(total, Math.floor(((Date.now() - startedAt) * rate) / 1000) + 1);
      for (; written < due; written++) log.info(`tick ${written} at ${Date.now()}`);
      progress(written, total);
      if (written < total) await sleep(10);
    }
    return { lines: written, startedAt };
  },
);

/**
 * Waits for `goFile`, then reports progress `count` times, one every `everyMs`, and returns when it made each
 * report (epoch ms, by its `done`): the bench compares those with when each value was first readable.
 */
export const webBenchProgress = task(
  { retries: 0, timeout: '10m', heartbeatTimeout: '30s' },
  async function webBenchProgress({ goFile, count, everyMs }: { goFile: string; count: number; everyMs: number }): Promise<number[]> {
    const waitUntil = Date.now() + 5 * 60_000;
    while (!existsSync(goFile)) {
      if (Date.now() > waitUntil) throw new Error(`webBenchProgress: ${goFile} did not appear within 5 minutes; the bench that started this run is gone.`);
      await sleep(50);
    }
    const reportedAt = [Date.now()];
    progress(0, count, 'starting');
    for (let done = 1; done <= count; done++) {
      await sleep(everyMs);
      reportedAt.push(Date.now());
      progress(done, count, `step ${done} of ${count}`);
    }
    return reportedAt;
  },
);
