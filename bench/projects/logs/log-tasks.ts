/**
 * Two tasks with the same loop: one writes each line through the run logger, the other builds the same message
 * and fields and only keeps them (so the work is not optimised away). Their durations, compared, are what
 * logging costs the task itself. No retries: a second attempt would add its lines to the count.
 */
import { log, task } from 'sluice';

export interface LoopResult {
  /** When the task began (epoch ms): the start of the "until all lines are stored" clock. */
  startedAt: number;
  /** How long the loop took inside the task (ms). */
  loopMs: number;
}

// Module-level, so V8 must really build each message and fields object in the baseline loop.
export let lastLine: { message: string; fields: Record<string, unknown> } | undefined;

export const logLines = task({ retries: 0, timeout: '10m' }, async function logLines(n: number): Promise<LoopResult> {
  const startedAt = Date.now();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const fields = { row: i, station: 'DeBilt', value: i * 0.5 };
    log.info(`row ${i} of ${n}: rainfall ${fields.value} mm at ${fields.station}`, fields);
  }
  return { startedAt, loopMs: performance.now() - t0 };
});

export const buildLines = task({ retries: 0, timeout: '10m' }, async function buildLines(n: number): Promise<LoopResult> {
  const startedAt = Date.now();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const fields = { row: i, station: 'DeBilt', value: i * 0.5 };
    lastLine = { message: `row ${i} of ${n}: rainfall ${fields.value} mm at ${fields.station}`, fields };
  }
  return { startedAt, loopMs: performance.now() - t0 };
});

/** Writes `rate` lines a second for `seconds`, each carrying when it was written (`at`): line → readable latency. */
export const timedLines = task({ retries: 0, timeout: '10m' }, async function timedLines(rate: number, seconds: number): Promise<number> {
  const n = rate * seconds;
  const start = Date.now();
  for (let seq = 0; seq < n; seq++) {
    // Paced against the start, so a slow write does not slow the rate.
    const due = start + (seq * 1000) / rate;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    log.info('timed line', { seq, at: Date.now() });
  }
  return n;
});
