/**
 * Rainfall over the country: each station's hourly rainfall fetched in TypeScript, then totalled per day with
 * pandas and interpolated over a grid with numpy in Python (activities/hydrology.py, served on the `hydrology`
 * task queue by a Python worker). The Python task's retry policy is the one it declares there.
 */
import { z } from 'zod';
import type * as rainfall from '../activities/rainfall';
import { flow, log, pythonTasks, tasks } from 'sluice/flow';

interface Surface {
  days: string[];
  daily: Record<string, number[]>;
  totals: Record<string, number>;
  grid: { lat: number[]; lon: number[]; mm: number[][] };
  wettest: { lat: number; lon: number; mm: number };
}

/** The tasks of activities/hydrology.py, as this flow calls them. */
interface Hydrology {
  rainfall_surface(series: Record<string, rainfall.Reading[]>, cells: number): Promise<Surface>;
}

const { fetchRainfall } = tasks<typeof rainfall>();
const { rainfall_surface } = pythonTasks<Hydrology>('hydrology');

const STATIONS = ['DeBilt', 'Schiphol', 'Eelde', 'Vlissingen', 'Maastricht'] as const;

export const rainfallSurface = flow(
  {
    description: 'Fetches hourly rainfall of every station (TypeScript) and interpolates the totals over a grid with numpy and pandas (Python).',
    parameters: z.object({
      days: z.number().int().min(1).max(366).default(7).describe('How many days back from the end date'),
      until: z.iso.date().default('2026-01-01').describe('End date (exclusive), YYYY-MM-DD'),
      cells: z.number().int().min(2).max(200).default(20).describe('Grid cells along each side'),
    }),
    deployments: [{ name: 'weekly', description: 'Every Monday morning, the last 7 days', cron: '0 7 * * 1', timezone: 'Europe/Amsterdam' }],
  },
  async ({ days, until, cells }) => {
    const series = Object.fromEntries(await Promise.all(STATIONS.map(async (s) => [s, await fetchRainfall(s, days, until)] as const)));
    const surface = await rainfall_surface(series, cells);
    log.info('rainfall surface ready', { wettest: surface.wettest, days: surface.days.length });
    return { days: surface.days.length, totals: surface.totals, wettest: surface.wettest };
  },
);
