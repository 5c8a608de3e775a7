/** Light tasks for the latency benchmark: the work is nothing, so what is measured is the cost of a call. */
import { task } from 'sluice';

export const step = task({}, async function step(i: number): Promise<number> {
  return i;
});

export const localStep = task({ local: true }, async function localStep(i: number): Promise<number> {
  return i;
});
