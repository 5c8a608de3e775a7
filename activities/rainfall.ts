/**
 * Tasks of the rainfall report example: fetch a station's hourly rainfall, clean it, aggregate it per day and
 * write a report. The "API" is a deterministic generator so the example runs offline; swap `fetchRainfall`'s
 * body for a real `fetch()` and nothing else changes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { log, task } from 'sluice';

export interface Reading {
  time: string; // ISO hour
  mm: number | null; // null = missing reading
}

export interface DailyTotal {
  day: string;
  totalMm: number;
  maxHourMm: number;
  readings: number;
}

export class StationUnknown extends Error {}

export const STATIONS = ['DeBilt', 'Schiphol', 'Eelde', 'Vlissingen', 'Maastricht'] as const;

/** Seeded pseudo-random numbers: the same station and hour always give the same reading. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

export const fetchRainfall = task(
  { retries: 5, retryDelay: '2s', timeout: '2m', nonRetryableErrors: ['StationUnknown'] },
  async function fetchRainfall(station: string, days: number, until: string): Promise<Reading[]> {
    const index = STATIONS.indexOf(station as (typeof STATIONS)[number]);
    if (index < 0) throw new StationUnknown(`Unknown station ${JSON.stringify(station)}: choose one of ${STATIONS.join(', ')}`);
    const end = Date.parse(`${until}T00:00:00Z`);
    const random = seeded(index * 7919 + Math.floor(end / 86_400_000));
    const readings: Reading[] = [];
    for (let h = days * 24; h > 0; h--) {
      const r = random();
      // Mostly dry hours, some showers, a few broken sensor readings (missing or negative).
      const mm = r < 0.02 ? null : r < 0.03 ? -1 : r < 0.75 ? 0 : Math.round((r - 0.75) * 40 * 10) / 10;
      readings.push({ time: new Date(end - h * 3_600_000).toISOString(), mm });
    }
    log.info('fetched rainfall', { station, days, readings: readings.length });
    return readings;
  },
);

export const cleanReadings = task(async function cleanReadings(readings: Reading[]): Promise<Reading[]> {
  const clean = readings.filter((r) => r.mm !== null && r.mm >= 0);
  const dropped = readings.length - clean.length;
  if (dropped) log.warn('dropped invalid readings', { dropped, reasons: 'missing or negative' });
  return clean;
});

export const aggregateDaily = task(async function aggregateDaily(readings: Reading[]): Promise<DailyTotal[]> {
  const days = new Map<string, DailyTotal>();
  for (const r of readings) {
    const day = r.time.slice(0, 10);
    const d = days.get(day) ?? { day, totalMm: 0, maxHourMm: 0, readings: 0 };
    d.totalMm = Math.round((d.totalMm + (r.mm ?? 0)) * 10) / 10;
    d.maxHourMm = Math.max(d.maxHourMm, r.mm ?? 0);
    d.readings++;
    days.set(day, d);
  }
  return [...days.values()];
});

export const writeReport = task(
  { retries: 2 },
  async function writeReport(station: string, totals: DailyTotal[], folder: string): Promise<string> {
    await mkdir(folder, { recursive: true });
    const file = path.join(folder, `rainfall-${station}-${totals.at(-1)?.day ?? 'empty'}.csv`);
    const rows = totals.map((t) => `${t.day},${t.totalMm},${t.maxHourMm},${t.readings}`);
    await writeFile(file, ['day,total_mm,max_hour_mm,readings', ...rows].join('\n') + '\n');
    console.log(`report written to ${file}`); // a print: kept as a log line of this task
    return file;
  },
);
