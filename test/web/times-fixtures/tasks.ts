/** Tasks of the time display's test flows (flows.ts). */
import { log, task } from 'sluice';

/** Waits `seconds`, then fails for good: a run that ends a known while after it started. */
export const timesFailLater = task({ retries: 0 }, async function timesFailLater(seconds: number): Promise<never> {
  log.info(`waiting ${seconds} s`, { seconds });
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  throw new Error(`gave up after ${seconds} s`);
});
