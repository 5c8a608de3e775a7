/**
 * A flow that waits and fans out: every few hours it fetches the latest reading of several stations at once
 * (one task per station, each retried on its own) and warns of heavy rain. Its wait is a durable timer: the run
 * costs nothing while it sleeps and survives restarts; its test (test/rainfall-watch.test.ts) does not wait it.
 */
import { flow, log, sleep, tasks } from 'sluice/flow';
import { z } from 'zod';
import type * as rainfall from '../activities/rainfall';

const { fetchReadings } = tasks<typeof rainfall>();

export const rainfallWatch = flow(
  {
    description: 'Checks several stations every few hours and warns of heavy rain',
    parameters: z.object({
      stations: z.array(z.string().min(1)).min(1).max(50).default(['DeBilt', 'Eelde']).describe('Weather stations'),
      checks: z.number().int().min(1).max(48).default(4).describe('How many checks'),
      hours: z.number().int().min(1).max(24).default(6).describe('Hours between checks'),
      heavyMm: z.number().min(0).default(20).describe('Heavy rain from (mm)'),
    }),
  },
  async ({ stations, checks, hours, heavyMm }) => {
    const alerts: { check: number; station: string; mm: number }[] = [];
    for (let check = 1; check <= checks; check++) {
      // The fan-out: all stations at once; Promise.all waits for every one.
      const latest = await Promise.all(stations.map(async (station) => (await fetchReadings(station, 1))[0]!));
      for (const { station, mm } of latest) {
        if (mm < heavyMm) continue;
        log.warn('heavy rain', { station, mm, check });
        alerts.push({ check, station, mm });
      }
      if (check < checks) await sleep(hours * 60 * 60 * 1000);
    }
    return { checks, alerts };
  },
);
