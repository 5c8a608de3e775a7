/**
 * The production topology for the big-store benchmark, natively (as test/deploy/production.test.ts starts it):
 * one throwaway PostgreSQL holding Temporal's two databases and Sluice's store, Temporal's schemas set up by its
 * SQL tool, the real Temporal server on deploy/temporal/production.yaml, the namespace registered as compose does,
 * `sluice migrate`, a `sluice worker` on bench/projects/latency and the web app in production mode (`next start`).
 * The web app's own retention sweeper is off: the benchmark runs the sweep itself, when it measures it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SluiceClient } from 'sluice/client';
import { openStore, type Store } from 'sluice/internal/store';
import { startPostgres, type Postgres } from '../../scripts/postgres';
import { productionTemporal, readDeployEnv } from '../../test/harness/production-temporal';
import { startWebApp, type WebApp } from '../../test/web/harness';
import { sluiceWorkerEnv, startWorkerProcess, ROOT, type WorkerProcess } from '../lib/worker-process';
import { SLUICE_BIN } from 'sluice/internal/dev';

const run = promisify(execFile);
export const TASK_QUEUE = 'bench-bigstore';
export const PROJECT = path.join(ROOT, 'bench/projects/latency');

export interface BigStoreStack {
  pg: Postgres;
  /** `postgres://…/<db>` of Temporal's visibility database. */
  visibilityUrl: string;
  temporalAddress: string;
  namespace: string;
  app: WebApp;
  worker: WorkerProcess;
  client: SluiceClient;
  store: Store;
  stop(): Promise<void>;
}

/** Starts it all; whatever has started is stopped again if a later part fails. */
export async function startBigStoreStack(say: (line: string) => void): Promise<BigStoreStack> {
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch((err) => say(`while stopping: ${(err as Error).message}`));
  };
  // The harness functions put their files under the suite's temporary directory: this run's own.
  const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-bigstore-'));
  process.env.SLUICE_TEST_TMP = tmpDir;
  stops.push(async () => rmSync(tmpDir, { recursive: true, force: true }));
  try {
    say('starting PostgreSQL and the production Temporal server');
    const [temporal, pg] = await Promise.all([productionTemporal(), startPostgres()]);
    stops.push(() => pg.stop());
    const namespace = temporal.stack.TEMPORAL_NAMESPACE!;
    const db = { host: '127.0.0.1', port: Number(new URL(pg.url).port), user: 'postgres', password: '' };
    await temporal.setupSchemas(db);
    const server = await temporal.startServer(db);
    stops.push(() => server.stop());
    await temporal.registerNamespace(server.address);
    const visibility = new URL(pg.url);
    visibility.pathname = `/${readDeployEnv('temporal/server.env').VISIBILITY_DBNAME}`;
    await run(process.execPath, [path.join(ROOT, 'sdk/bin/sluice.js'), 'migrate'], { env: { ...process.env, DATABASE_URL: pg.url } });
    // The web app reads these, as the test runner sets them.
    process.env.TEMPORAL_ADDRESS = server.address;
    process.env.TEMPORAL_NAMESPACE = namespace;
    // Required by the harness; no Temporal Web in this stack (the web app gets none, below).
    process.env.TEMPORAL_WEB_URL = 'http://127.0.0.1:9';
    say('starting the worker and the web app (next start)');
    const [worker, app] = await Promise.all([
      startWorkerProcess({
        entry: SLUICE_BIN,
        args: ['worker'],
        env: { ...sluiceWorkerEnv({ address: server.address, taskQueue: TASK_QUEUE, storeUrl: pg.url, workflows: path.join(PROJECT, 'flows.ts'), activities: path.join(PROJECT, 'tasks.ts') }), TEMPORAL_NAMESPACE: namespace },
        ready: /worker ready/,
      }),
      startWebApp({ storeUrl: pg.url, env: { SLUICE_RETENTION: 'off', TEMPORAL_WEB_URL: '', TEMPORAL_UI_UPSTREAM: '' } }),
    ]);
    stops.push(() => worker.stop(), () => app.stop());
    const store = await openStore(pg.url);
    stops.push(() => store.close());
    const client = await SluiceClient.connect({ address: server.address, namespace, store });
    stops.push(() => client.close());
    return { pg, visibilityUrl: visibility.toString(), temporalAddress: server.address, namespace, app, worker, client, store, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
