/**
 * A flow that calls a Python task: the readings come from a TypeScript task, the percentiles from
 * python/rain_stats.py, served by the Python worker on its own task queue (__NAME__-python) with the retry
 * policy it declared there.
 */
import { flow, pythonTasks, tasks } from 'sluice/flow';
import { z } from 'zod';
import type * as rainfall from '../activities/rainfall';

const { fetchReadings } = tasks<typeof rainfall>();

/** The Python tasks' signatures, as TypeScript calls them (values cross as JSON). */
interface RainStats {
  rainfall_percentiles(readings: rainfall.Reading[], percentiles: number[]): Promise<Record<string, number>>;
}
const { rainfall_percentiles } = pythonTasks<RainStats>('__NAME__-python');

export const rainfallPercentiles = flow(
  {
    description: 'Percentiles of one station’s daily rainfall, computed in Python',
    parameters: z.object({
      station: z.string().min(1).default('DeBilt').describe('Weather station'),
      days: z.number().int().min(2).max(366).default(30).describe('How many days back'),
    }),
  },
  async ({ station, days }) => {
    const readings = await fetchReadings(station, days);
    return await rainfall_percentiles(readings, [50, 90, 99]);
  },
);
