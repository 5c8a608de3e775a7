/** Flows of the Python overhead benchmark: n sequential no-op tasks, in TypeScript or in Python (noop_tasks.py). */
import { z } from 'zod';
import { flow, pythonTasks, tasks } from 'sluice/flow';
import type * as tsTasks from '../overhead/sluice-tasks';

const { noop } = tasks<typeof tsTasks>();
const parameters = z.object({ n: z.number().int().min(1), queue: z.string() });

export const tsSequentialFlow = flow({ parameters }, async ({ n }) => {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += await noop(i);
  return sum;
});

export const pySequentialFlow = flow({ parameters }, async ({ n, queue }) => {
  const py = pythonTasks<{ noop(i: number): Promise<number> }>(queue);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += await py.noop(i);
  return sum;
});
