/**
 * A long calculation: a reservoir's water balance simulated step by step. It reports progress at every step: the
 * run page's bar follows it live, and (as a heartbeat) a dead worker is noticed within `heartbeatTimeout` and a
 * retried attempt resumes where the last one was. At the end it publishes the level series as a chart.
 */
import { lastProgress, log, progress, publish, sleep, task } from 'sluice';

export interface ReservoirResult {
  steps: number;
  finalLevelM: number;
  spills: number;
}

export const simulateReservoir = task(
  { retries: 2, timeout: '1h', heartbeatTimeout: '20s' },
  async function simulateReservoir(steps: number, stepMs: number): Promise<ReservoirResult> {
    let level = 10;
    let spills = 0;
    const from = lastProgress()?.done ?? 0;
    if (from) log.info('resuming the simulation', { from });
    // The level after the steps this attempt simulated (a resumed attempt charts from where it resumed), at most
    // about 1,000 points however many steps: a chart to read, well inside publish's bound of 10,000.
    const stride = Math.ceil(steps / 1000);
    const chartSteps: number[] = [];
    const levels: number[] = [];
    for (let step = from; step < steps; step++) {
      const inflow = 0.3 + 0.2 * Math.sin(step / 10);
      level += inflow - 0.3;
      if (level > 12) (spills++, (level = 12));
      if ((step + 1) % stride === 0 || step === steps - 1) {
        chartSteps.push(step + 1);
        levels.push(Math.round(level * 100) / 100);
      }
      if (step % Math.max(1, Math.floor(steps / 10)) === 0) log.info(`step ${step} of ${steps}`, { levelM: Math.round(level * 100) / 100 });
      progress(step + 1, steps, `step ${step + 1} of ${steps}`);
      await sleep(stepMs);
    }
    if (levels.length > 0) publish.chart('reservoir-level', {
      title: 'Reservoir level',
      chart: 'line',
      x: chartSteps,
      xLabel: 'step',
      yLabel: 'level (m)',
      series: [{ name: 'level (m)', values: levels }],
    });
    return { steps, finalLevelM: Math.round(level * 100) / 100, spills };
  },
);
