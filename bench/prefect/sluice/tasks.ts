/** The comparison's tasks for Sluice, the same as bench/prefect/prefect_flows.py. */
import { writeFileSync } from 'node:fs';
import { log, sleep, task } from 'sluice';

export const step = task({}, async function step(i: number): Promise<number> {
  return i;
});

/** The same step as a local task: runs inside the flow's worker, no trip through the task queue. */
export const localStep = task({ local: true }, async function localStep(i: number): Promise<number> {
  return i;
});

export const stamp = task({ retries: 0 }, async function stamp(stampFile: string): Promise<void> {
  writeFileSync(stampFile, String(Date.now()));
});

export const ticks = task({ retries: 0, timeout: '5m' }, async function ticks(rate: number, seconds: number): Promise<number> {
  const total = rate * seconds;
  const began = Date.now();
  for (let n = 0; n < total; n++) {
    log.info(`tick ${n} at ${Date.now()}`);
    await sleep(Math.max(0, began + ((n + 1) * 1000) / rate - Date.now()));
  }
  return total;
});
