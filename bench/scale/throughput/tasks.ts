/** The throughput benchmark's task for Sluice, the same as prefect_flows.py's `write_lines`. */
import { log, task } from 'sluice';

export const LINES_PER_TASK = 20;

export const writeLines = task({}, async function writeLines(step: number): Promise<number> {
  for (let line = 0; line < LINES_PER_TASK; line++) log.info(`line ${line} of task ${step}`);
  return step;
});
