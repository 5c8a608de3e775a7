/**
 * Tasks of the rainfall anomalies example: find the hours a station measured more than a threshold, and load
 * them (here: append them to a CSV file standing in for a table) once a person approved it.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { log, task } from 'sluice';
import type { Reading } from './rainfall';

export interface Anomaly {
  time: string;
  mm: number;
}

export const findAnomalies = task(async function findAnomalies(readings: Reading[], thresholdMm: number): Promise<Anomaly[]> {
  const found = readings.filter((r): r is Anomaly => r.mm !== null && r.mm > thresholdMm);
  log.info('anomalies found', { readings: readings.length, thresholdMm, anomalies: found.length });
  return found;
});

export const loadAnomalies = task(
  { retries: 2 },
  async function loadAnomalies(station: string, anomalies: Anomaly[], folder: string): Promise<string> {
    await mkdir(folder, { recursive: true });
    const file = path.join(folder, `anomalies-${station}.csv`);
    await appendFile(file, anomalies.map((a) => `${station},${a.time},${a.mm}\n`).join(''));
    log.info('anomalies loaded', { file, rows: anomalies.length });
    return file;
  },
);
