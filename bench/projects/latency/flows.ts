/** A chain of light tasks, as a download-transform-load job is: each waits for the one before. */
import { flow, tasks } from 'sluice/flow';
import { z } from 'zod';
import type * as latencyTasks from './tasks';

const { step, localStep, loggingStep } = tasks<typeof latencyTasks>();
const parameters = z.object({ n: z.number().int().min(1) });

export const sequentialTasks = flow({ parameters }, async ({ n }) => {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += await step(i);
  return sum;
});

export const sequentialLocalTasks = flow({ parameters }, async ({ n }) => {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += await localStep(i);
  return sum;
});

export const sequentialLoggingTasks = flow({ parameters }, async ({ n }) => {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += await loggingStep(i);
  return sum;
});
