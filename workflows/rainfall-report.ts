/** Rainfall per station: fetched, cleaned, aggregated per day, written as a CSV report and published as a table and a chart. */
import { z } from 'zod';
import type * as rainfall from '../activities/rainfall';
import { flow, log, publish, tasks } from 'sluice/flow';

const { fetchRainfall, cleanReadings, aggregateDaily, writeReport } = tasks<typeof rainfall>();

export const rainfallReport = flow(
  {
    description: 'Fetches hourly rainfall of one station, cleans it, totals it per day and writes a CSV report.',
    parameters: z.object({
      station: z.enum(['DeBilt', 'Schiphol', 'Eelde', 'Vlissingen', 'Maastricht']).default('DeBilt').describe('Weather station'),
      days: z.number().int().min(1).max(366).default(7).describe('How many days back from the end date'),
      until: z.iso.date().default('2026-01-01').describe('End date (exclusive), YYYY-MM-DD'),
      folder: z.string().min(1).default('data/reports').describe('Folder the report is written to'),
    }),
    deployments: [
      { name: 'daily', description: 'Every morning, De Bilt', cron: '0 6 * * *', timezone: 'Europe/Amsterdam', parameters: { station: 'DeBilt' } },
      { name: 'schiphol-on-demand', description: 'Schiphol, 30 days, run by hand', parameters: { station: 'Schiphol', days: 30 } },
    ],
  },
  async ({ station, days, until, folder }) => {
    log.info('rainfall report started', { station, days, until });
    const readings = await fetchRainfall(station, days, until);
    const clean = await cleanReadings(readings);
    const totals = await aggregateDaily(clean);
    const file = await writeReport(station, totals, folder);
    const wettest = totals.reduce((a, b) => (b.totalMm > a.totalMm ? b : a), totals[0]);
    // Results for the run page (and the flow page's latest): the totals to read and download, and their shape.
    publish.table('daily-totals', {
      title: `Daily rainfall at ${station}`,
      columns: ['day', 'total (mm)', 'wettest hour (mm)', 'readings'],
      rows: totals.map((t) => [t.day, t.totalMm, t.maxHourMm, t.readings]),
    });
    publish.chart('daily-rainfall', {
      title: `Daily rainfall at ${station}`,
      chart: 'bar',
      x: totals.map((t) => t.day),
      xLabel: 'day',
      yLabel: 'mm',
      series: [{ name: 'total (mm)', values: totals.map((t) => t.totalMm) }],
    });
    log.info('rainfall report done', { file, wettestDay: wettest?.day, wettestMm: wettest?.totalMm });
    return { file, days: totals.length, totalMm: Math.round(totals.reduce((s, t) => s + t.totalMm, 0) * 10) / 10 };
  },
);
