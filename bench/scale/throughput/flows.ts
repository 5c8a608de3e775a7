/** The throughput benchmark's flow for Sluice, the same as prefect_flows.py's `chain`: tasks one after another. */
import { z } from 'zod';
import { flow, tasks } from 'sluice/flow';
import type * as throughputTasks from './tasks';

const { writeLines } = tasks<typeof throughputTasks>();

export const TASKS_PER_RUN = 5;

export const chain = flow({ parameters: z.object({}) }, async () => {
  for (let step = 0; step < TASKS_PER_RUN; step++) await writeLines(step);
  return TASKS_PER_RUN;
});
