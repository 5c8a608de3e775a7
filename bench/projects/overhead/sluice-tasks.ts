/** The no-op task declared with Sluice's `task()`, with no options: it gets Sluice's default retry policy. */
import { task } from 'sluice';

export const noop = task(async function noop(i: number): Promise<number> {
  return i;
});
