/** A download that needs three attempts: shows retries following the task's declared policy. */
import { z } from 'zod';
import type * as flaky from '../activities/flaky-download';
import { flow, tasks } from 'sluice/flow';

const { downloadWithHiccups } = tasks<typeof flaky>();

export const flakyDownload = flow(
  {
    description: 'Downloads a file from a server that fails twice before it answers; the task retries by itself.',
    parameters: z.object({ url: z.url().default('https://example.org/rainfall.csv').describe('What to download') }),
  },
  async ({ url }) => downloadWithHiccups(url),
);
