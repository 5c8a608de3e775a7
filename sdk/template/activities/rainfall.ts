/**
 * Tasks: plain async functions, each with its retry policy declared beside it. Replace the made-up
 * readings with a download from your data source; keep the shape.
 */
import { log, progress, task } from 'sluice';

export interface Reading {
  station: string;
  day: string;
  mm: number;
}

/** Thrown for a station that does not exist: retrying cannot help, so it is declared non-retryable. */
export class StationUnknown extends Error {
  name = 'StationUnknown';
}

export const fetchReadings = task(
  { retries: 5, retryDelay: '2s', timeout: '2m', nonRetryableErrors: ['StationUnknown'] },
  async function fetchReadings(station: string, days: number): Promise<Reading[]> {
    if (!/^[A-Za-z][A-Za-z -]*$/.test(station)) throw new StationUnknown(`no station called ${JSON.stringify(station)}`);
    log.info('fetching readings', { station, days });
    const readings: Reading[] = [];
    for (let i = 0; i < days; i++) {
      // A stand-in for real data: the same station and day always give the same amount.
      const seed = [...`${station}:${i}`].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 9973, 7);
      readings.push({ station, day: `day ${i + 1}`, mm: Math.round((seed % 250) / 10) / 1 });
      progress(i + 1, days, `day ${i + 1} of ${days}`);
    }
    return readings;
  },
);

export const summarize = task(
  { retries: 2 },
  async function summarize(readings: Reading[]): Promise<{ station: string; days: number; totalMm: number; wettest: string }> {
    const total = readings.reduce((sum, r) => sum + r.mm, 0);
    const wettest = readings.reduce((a, b) => (b.mm > a.mm ? b : a));
    console.log(`${readings.length} days, ${total} mm in all`); // prints are kept as log lines too
    return { station: readings[0]!.station, days: readings.length, totalMm: total, wettest: wettest.day };
  },
);
