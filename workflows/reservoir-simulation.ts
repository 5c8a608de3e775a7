/** A long calculation that reports progress, every 15 minutes from an interval deployment. */
import { z } from 'zod';
import type * as reservoir from '../activities/reservoir';
import { flow, log, tasks } from 'sluice/flow';

const { simulateReservoir } = tasks<typeof reservoir>();

export const reservoirSimulation = flow(
  {
    description: 'Simulates a reservoir water balance step by step, reporting its progress.',
    parameters: z.object({
      steps: z.number().int().min(1).max(100_000).default(60).describe('Simulation steps'),
      stepMs: z.number().int().min(0).max(10_000).default(500).describe('Milliseconds per step (stands in for real work)'),
    }),
    deployments: [{ name: 'every-15-minutes', interval: '15 minutes', parameters: { steps: 20, stepMs: 100 } }],
  },
  async ({ steps, stepMs }) => {
    const result = await simulateReservoir(steps, stepMs);
    log.info('simulation finished', { ...result });
    return result;
  },
);
