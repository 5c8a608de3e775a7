/** The benchmark's flows written with the bare Temporal SDK: `proxyActivities` and plain workflow functions. */
import { proxyActivities } from '@temporalio/workflow';
import { RAW_ACTIVITY_OPTIONS } from './raw-activity-options';
import type * as rawTasks from './raw-tasks';

const { noop } = proxyActivities<typeof rawTasks>(RAW_ACTIVITY_OPTIONS);

export async function sequentialFlow({ n }: { n: number }): Promise<number> {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += await noop(i);
  return sum;
}

export async function parallelFlow({ n }: { n: number }): Promise<number> {
  const results = await Promise.all(Array.from({ length: n }, (_, i) => noop(i)));
  return results.reduce((a, b) => a + b, 0);
}
