/** The comparison's flows for Sluice, the same as bench/prefect/prefect_flows.py. */
import { z } from 'zod';
import { flow, tasks } from 'sluice/flow';
import type * as comparisonTasks from './tasks';

const { step, localStep, stamp, ticks } = tasks<typeof comparisonTasks>();
const count = z.object({ n: z.number().int().min(1) });

export const sequential = flow({ parameters: count }, async ({ n }) => {
  let total = 0;
  for (let i = 0; i < n; i++) total += await step(i);
  return total;
});

export const sequentialLocal = flow({ parameters: count }, async ({ n }) => {
  let total = 0;
  for (let i = 0; i < n; i++) total += await localStep(i);
  return total;
});

export const parallel = flow({ parameters: count }, async ({ n }) => {
  const results = await Promise.all(Array.from({ length: n }, (_, i) => step(i)));
  return results.reduce((a, b) => a + b, 0);
});

export const firstTask = flow({ parameters: z.object({ stampFile: z.string() }) }, async ({ stampFile }) => stamp(stampFile));

export const logLines = flow({ parameters: z.object({ rate: z.number().int(), seconds: z.number().int() }) }, async ({ rate, seconds }) => ticks(rate, seconds));
