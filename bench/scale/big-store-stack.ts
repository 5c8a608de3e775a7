/**
 * The production topology for the big-store benchmark (bench/lib/production-stack.ts: one throwaway PostgreSQL
 * holding Temporal's two databases and Sluice's store, the real Temporal server on compose's configuration, the
 * web app in production mode, a `sluice worker` through its worker API) serving bench/projects/latency, plus
 * what seeding needs: the address of Temporal's visibility database. The web app's own retention sweeper is off:
 * the benchmark runs the sweep itself, when it measures it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startProductionStack, type ProductionStack } from '../lib/production-stack';
import { ROOT } from '../lib/worker-process';
import { readDeployEnv } from '../../test/harness/production-temporal';

export const TASK_QUEUE = 'bench-bigstore';
export const PROJECT = path.join(ROOT, 'bench/projects/latency');

export interface BigStoreStack extends ProductionStack {
  /** `postgres://…/<db>` of Temporal's visibility database (on the same server as the store). */
  visibilityUrl: string;
}

export async function startBigStoreStack(say: (line: string) => void): Promise<BigStoreStack> {
  const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-bigstore-'));
  try {
    const stack = await startProductionStack({
      tmpDir,
      taskQueue: TASK_QUEUE,
      workers: 1,
      workflows: path.join(PROJECT, 'flows.ts'),
      activities: path.join(PROJECT, 'tasks.ts'),
      webEnv: { SLUICE_RETENTION: 'off' },
      say,
    });
    const visibility = new URL(stack.pg.url);
    visibility.pathname = `/${readDeployEnv('temporal/server.env').VISIBILITY_DBNAME}`;
    return {
      ...stack,
      visibilityUrl: visibility.toString(),
      stop: async () => {
        await stack.stop();
        rmSync(tmpDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(tmpDir, { recursive: true, force: true });
    throw err;
  }
}
