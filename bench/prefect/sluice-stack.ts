/**
 * Sluice's embedded stack for the comparison, as `npm start` runs it but with the web app in production mode
 * (`next start`): a Temporal dev server with Sluice's defaults, `sluice worker` serving bench/prefect/sluice, and
 * the web app. Everything on free ports and in a temporary directory.
 */
import path from 'node:path';
import { SluiceClient } from 'sluice/client';
import { startDevServer, type DevServer } from 'sluice/internal/dev';
import { openStore } from 'sluice/internal/store';
import { startWebApp, type WebApp } from '../../test/web/harness';
import { startSluiceWorker, type WorkerProcess } from '../lib/worker-process';

export const TASK_QUEUE = 'prefect-comparison';

export interface SluiceStack {
  server: DevServer;
  worker: WorkerProcess;
  app: WebApp;
  client: SluiceClient;
  stop(): Promise<void>;
}

export async function startSluice(tmpDir: string, say: (l: string) => void): Promise<SluiceStack> {
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch((err) => say(`while stopping: ${(err as Error).message}`));
  };
  try {
    say('sluice: starting a Temporal dev server (as npm start does)');
    const server = await startDevServer({ dbFile: path.join(tmpDir, 'temporal.db'), uiPublicPath: '/temporal' });
    stops.push(() => server.stop());
    const storeUrl = `sqlite:${path.join(tmpDir, 'sluice.db')}`;
    say('sluice: starting the worker');
    const worker = await startSluiceWorker({
      address: server.address,
      taskQueue: TASK_QUEUE,
      storeUrl,
      workflows: path.join(__dirname, 'sluice/flows.ts'),
      activities: path.join(__dirname, 'sluice/tasks.ts'),
    });
    stops.push(() => worker.stop());
    say('sluice: starting the web app (next start; built first if web/ or sdk/ changed)');
    // The harness reads these, as the test runner sets them.
    Object.assign(process.env, { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: 'default', TEMPORAL_WEB_URL: server.uiUrl });
    const app = await startWebApp({ storeUrl });
    stops.push(() => app.stop());
    const store = await openStore(storeUrl, { migrate: true });
    stops.push(() => store.close());
    const client = await SluiceClient.connect({ address: server.address, namespace: 'default', store });
    stops.push(() => client.close());
    return { server, worker, app, client, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
