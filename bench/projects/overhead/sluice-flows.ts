/** The benchmark's flows written with Sluice: `flow()` with a parameters schema, `tasks()` for the task. */
import { z } from 'zod';
import { flow, tasks } from 'sluice/flow';
import type * as sluiceTasks from './sluice-tasks';

const { noop } = tasks<typeof sluiceTasks>();
const parameters = z.object({ n: z.number().int().min(1) });

export const sequentialFlow = flow({ description: 'n no-op tasks, one after the other', parameters }, async ({ n }) => {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += await noop(i);
  return sum;
});

export const parallelFlow = flow({ description: 'n no-op tasks at once', parameters }, async ({ n }) => {
  const results = await Promise.all(Array.from({ length: n }, (_, i) => noop(i)));
  return results.reduce((a, b) => a + b, 0);
});
