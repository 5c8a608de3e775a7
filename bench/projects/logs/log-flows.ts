/** One flow per task of log-tasks.ts, so each run's lines are exactly the task's. */
import { z } from 'zod';
import { flow, tasks } from 'sluice/flow';
import type * as logTasks from './log-tasks';

const { logLines, buildLines, timedLines } = tasks<typeof logTasks>();
const parameters = z.object({ n: z.number().int().min(1) });

export const logLinesFlow = flow({ description: 'A task writing n log lines', parameters }, async ({ n }) => logLines(n));
export const buildLinesFlow = flow({ description: 'The same loop without logging', parameters }, async ({ n }) => buildLines(n));
export const timedLinesFlow = flow(
  { description: 'A task writing rate lines a second for some seconds, each with its time', parameters: z.object({ rate: z.number().int().min(1), seconds: z.number().int().min(1) }) },
  async ({ rate, seconds }) => timedLines(rate, seconds),
);
