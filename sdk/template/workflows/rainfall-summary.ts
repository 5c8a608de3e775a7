/**
 * A flow: calls tasks, each with the retry policy it declared. Its parameters are a zod schema (the web
 * app makes a form of it); its deployments become Temporal Schedules when the worker starts.
 */
import { flow, log, tasks } from 'sluice/flow';
import { z } from 'zod';
import type * as rainfall from '../activities/rainfall'; // types only: flows never load task code

const { fetchReadings, summarize } = tasks<typeof rainfall>();

export const rainfallSummary = flow(
  {
    description: 'Rainfall of one station over the last days: total and wettest day',
    parameters: z.object({
      station: z.string().min(1).default('DeBilt').describe('Weather station'),
      days: z.number().int().min(1).max(366).default(7).describe('How many days back'),
    }),
    deployments: [
      { name: 'daily', cron: '0 6 * * *', timezone: 'Europe/Amsterdam', parameters: { station: 'DeBilt', days: 1 } },
      { name: 'on-demand', parameters: { days: 30 } },
    ],
  },
  async ({ station, days }) => {
    const readings = await fetchReadings(station, days);
    const summary = await summarize(readings);
    log.info('summary ready', summary);
    return summary;
  },
);
