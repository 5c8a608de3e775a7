/** Light tasks for the latency benchmark: the work is nothing, so what is measured is the cost of a call. */
import { task } from 'sluice';
import { log } from 'sluice';

export const step = task({}, async function step(i: number): Promise<number> {
  return i;
});

export const localStep = task({ local: true }, async function localStep(i: number): Promise<number> {
  return i;
});

/** As `step`, with one log line: what a task's end waits for is then its line on disk (the worker's spool). */
export const loggingStep = task({}, async function loggingStep(i: number): Promise<number> {
  log.info('step done', { i });
  return i;
});
