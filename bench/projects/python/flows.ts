/** Flows of the Python overhead benchmark: n sequential no-op tasks, in TypeScript or in Python (noop_tasks.py). */
import { z } from 'zod';
import { proxyActivities } from '@temporalio/workflow';
import { flow, pythonTasks, tasks } from 'sluice/flow';
import { toActivityOptions } from '../../../sdk/src/task-options';
import type * as rawTasks from '../overhead/raw-tasks';
import type * as tsTasks from '../overhead/sluice-tasks';

const { noop } = tasks<typeof tsTasks>();
const parameters = z.object({ n: z.number().int().min(1), queue: z.string() });

export const tsSequentialFlow = flow({ parameters }, async ({ n }) => {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += await noop(i);
  return sum;
});

export const pySequentialFlow = flow({ parameters }, async ({ n, queue }) => {
  const py = pythonTasks<{ noop(i: number): Promise<number> }>(queue);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += await py.noop(i);
  return sum;
});

/**
 * The like-for-like comparison: the same TypeScript no-op on a worker of another task queue (the bare-SDK
 * worker of bench/projects/overhead), so the call crosses the server's task queue as a Python call does; a
 * task on the flow's own worker starts eagerly, in the reply to the flow's step.
 */
export const tsRemoteSequentialFlow = flow({ parameters }, async ({ n, queue }) => {
  const remote = proxyActivities<typeof rawTasks>({ ...toActivityOptions(), taskQueue: queue });
  let sum = 0;
  for (let i = 0; i < n; i++) sum += await remote.noop(i);
  return sum;
});
