/** One flow per task of log-tasks.ts, so each run's lines are exactly the task's. */
import { z } from 'zod';
import { flow, tasks } from 'sluice/flow';
import type * as logTasks from './log-tasks';

const { logLines, buildLines } = tasks<typeof logTasks>();
const parameters = z.object({ n: z.number().int().min(1) });

export const logLinesFlow = flow({ description: 'A task writing n log lines', parameters }, async ({ n }) => logLines(n));
export const buildLinesFlow = flow({ description: 'The same loop without logging', parameters }, async ({ n }) => buildLines(n));
