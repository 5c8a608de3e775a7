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
    // Once a year, so it never crowds other test files' daily schedules out of Home's next runs; at 03:00 in
    // Amsterdam, which is the day before in New York.
    description: 'Scheduled at 03:00 on New Year’s Day in Amsterdam, whatever zone its reader is in.',
    deployments: [{ name: 'new-year', cron: '0 3 1 1 *', timezone: 'Europe/Amsterdam' }],
  },
  async () => 'done',
);

export const timesBroken = flow(
  { description: 'Fails after a few seconds.', parameters: z.object({ seconds: z.number().int().min(0).max(60).default(3) }) },
  async ({ seconds }) => t.timesFailLater(seconds),
);
