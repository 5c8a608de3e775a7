/**
 * Flows for the web pages' tests (names start with `pages` so they never meet another test file's flows in the
 * suite's shared Temporal namespace).
 */
import { z } from 'zod';
import { flow, log, tasks } from 'sluice/flow';
import type * as pageTasks from './tasks';

const t = tasks<typeof pageTasks>();

export const pagesReport = flow(
  {
    description: 'A small report: one step per day, a log line each.',
    parameters: z.object({
      station: z.enum(['north', 'south']).describe('Which gauge'),
      days: z.number().int().min(1).max(30).default(3).describe('Days to process'),
      stepMs: z.number().int().min(0).max(5000).default(100),
      note: z.string().max(40).optional(),
      options: z.object({ depth: z.number() }).optional().describe('Advanced options as JSON'),
      tags: z.array(z.string()).default([]),
    }),
    deployments: [
      { name: 'nightly', description: 'Every night, north gauge', cron: '0 3 * * *', timezone: 'Europe/Amsterdam', parameters: { station: 'north' } },
      { name: 'by-hand', description: 'South gauge, run by hand', parameters: { station: 'south', days: 2 } },
    ],
  },
  async ({ station, days, stepMs }) => {
    log.info('report started', { station, days });
    let total = 0;
    for (let day = 1; day <= days; day++) total += await t.pagesStep(day, stepMs);
    log.info('report done', { total });
    return { station, days, total };
  },
);

export const pagesFlaky = flow({ description: 'Succeeds after its task retried twice.' }, async () => t.pagesFlakyStep());

export const pagesBroken = flow({ description: 'Always fails.' }, async () => {
  log.warn('about to read the upstream file');
  return t.pagesBrokenStep();
});

export const pagesWait = flow(
  { description: 'Waits (for cancel tests).', parameters: z.object({ seconds: z.number().int().min(1).max(600).default(120) }) },
  async ({ seconds }) => t.pagesWaitStep(seconds),
);
