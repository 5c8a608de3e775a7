/**
 * Flows for the time display's browser test (names start with `times` so they never meet another test file's
 * flows in the suite's shared Temporal namespace): a deployment scheduled in its own zone, and a run that fails.
 */
import { z } from 'zod';
import { flow, tasks } from 'sluice/flow';
import type * as timesTasks from './tasks';

const t = tasks<typeof timesTasks>();

export const timesReport = flow(
  {
    description: 'Scheduled at 06:00 in Amsterdam, whatever zone its reader is in.',
    deployments: [{ name: 'morning', cron: '0 6 * * *', timezone: 'Europe/Amsterdam' }],
  },
  async () => 'done',
);

export const timesBroken = flow(
  { description: 'Fails after a few seconds.', parameters: z.object({ seconds: z.number().int().min(0).max(60).default(3) }) },
  async ({ seconds }) => t.timesFailLater(seconds),
);
