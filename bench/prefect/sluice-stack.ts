/**
 * Sluice's embedded stack for the comparison, started as a user starts it: `npm start` (npm, its build step,
 * scripts/start.ts and everything it starts: the Temporal dev server, the worker as a client of the web app, the
 * web app in production mode), on free ports and a data directory in a temporary folder. The worker serves the
 * comparison's flows (bench/prefect/sluice/) instead of the repository's own, through the settings a user has
 * for that (SLUICE_WORKFLOWS, SLUICE_ACTIVITIES, SLUICE_TASK_QUEUE); start.ts passes them on to it.
 *
 * The benchmark starts runs through Temporal and reads their log lines from the store, as a SluiceClient does;
 * the lines get there from the worker through the web app's worker API, as in production.
 */
import path from 'node:path';
import { SluiceClient } from 'sluice/client';
import { openStore } from 'sluice/internal/store';
import { npmStart, type NpmStart } from '../../test/harness/npm-start';

export const TASK_QUEUE = 'prefect-comparison';

export interface SluiceStack {
  /** The `npm start` process: the root of the process tree a user starts. */
  pid: number;
  client: SluiceClient;
  stop(): Promise<void>;
}

export async function startSluice(tmpDir: string, say: (l: string) => void): Promise<SluiceStack> {
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch((err) => say(`while stopping: ${(err as Error).message}`));
  };
  try {
    say('sluice: npm start (the web app is built first if web/ or sdk/ changed)');
    const dataDir = path.join(tmpDir, 'sluice-data');
    const started: NpmStart = await npmStart(
      {
        SLUICE_WORKFLOWS: path.join(__dirname, 'sluice/flows.ts'),
        SLUICE_ACTIVITIES: path.join(__dirname, 'sluice/tasks.ts'),
        SLUICE_TASK_QUEUE: TASK_QUEUE,
        SLUICE_ADMIN_EMAIL: 'admin@bench.test',
        SLUICE_ADMIN_PASSWORD: 'bench-password-not-secret',
      },
      dataDir,
      { viaNpm: true },
    );
    stops.push(() => started.stop());
    await started.waitFor(/Press Ctrl-C to stop/, 600_000);
    const store = await openStore(`sqlite:${path.join(dataDir, 'sluice.db')}`);
    stops.push(() => store.close());
    const client = await SluiceClient.connect({ address: `127.0.0.1:${started.ports.temporal}`, namespace: 'default', store });
    stops.push(() => client.close());
    return { pid: started.pid, client, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
