/** Hours of extreme rainfall: found, shown to a person, and loaded only once that person approves. */
import { z } from 'zod';
import type * as anomalies from '../activities/anomalies';
import type * as rainfall from '../activities/rainfall';
import { ask, flow, log, tasks } from 'sluice/flow';

const { fetchRainfall } = tasks<typeof rainfall>();
const { findAnomalies, loadAnomalies } = tasks<typeof anomalies>();

export const rainfallAnomalies = flow(
  {
    description: 'Finds the hours a station measured extreme rainfall and loads them into the anomalies table once a person approves.',
    parameters: z.object({
      station: z.enum(['DeBilt', 'Schiphol', 'Eelde', 'Vlissingen', 'Maastricht']).default('Eelde').describe('Weather station'),
      thresholdMm: z.number().min(0).default(8).describe('Rainfall in one hour (mm) above which an hour is an anomaly'),
      until: z.iso.date().default('2026-01-01').describe('End date (exclusive), YYYY-MM-DD; the 30 days before it are checked'),
      approveWithin: z.string().min(1).default('1 hour').describe('How long to wait for an approval (e.g. 30 minutes, 2h); then nothing is loaded'),
      folder: z.string().min(1).default('data/anomalies').describe('Folder of the anomalies table (a CSV file per station)'),
    }),
  },
  async ({ station, thresholdMm, until, approveWithin, folder }) => {
    const found = await findAnomalies(await fetchRainfall(station, 30, until), thresholdMm);
    if (found.length === 0) return { station, found: 0, loaded: 0, file: null };
    const wettest = found.reduce((a, b) => (b.mm > a.mm ? b : a));
    // Waits durably for a person: the run page shows the question with a form; no answer in time → not loaded.
    const { value, by, defaulted } = await ask(
      `Load these ${found.length} anomalies of ${station} into the anomalies table?`,
      z.object({
        load: z.boolean().default(false).describe('Load them'),
        comment: z.string().max(500).optional().describe('Why (kept in the run\'s history with the answer)'),
      }),
      { about: `${found.length} hours above ${thresholdMm} mm; the wettest ${wettest.mm} mm at ${wettest.time}`, timeout: approveWithin, default: { load: false } },
    );
    log.info(defaulted ? 'no answer in time: not loading' : 'answered', { load: value.load, by, comment: value.comment });
    if (!value.load) return { station, found: found.length, loaded: 0, file: null };
    const file = await loadAnomalies(station, found, folder);
    return { station, found: found.length, loaded: found.length, file };
  },
);
