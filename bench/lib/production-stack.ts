/**
 * The production topology of docker-compose.yml, natively, for benchmarks at scale: a throwaway PostgreSQL
 * holding both Temporal's databases and Sluice's store, the real Temporal server on compose's configuration
 * (deploy/temporal/), the namespace registered as compose does, Sluice's store migrated (`sluice migrate`), the web
 * app in production mode (`next start`, its worker API on) and N `sluice worker`s that reach the store only
 * through that worker API with a worker token, as compose's workers do. It reuses the test harness that
 * test/deploy/production.test.ts starts the same topology with; no Temporal UI server (nothing here reads it).
 *
 * @example
 * const stack = await startProductionStack({ tmpDir, taskQueue: 'scale', workers: 2, workflows, activities, say });
 * try { await stack.client.start('flow', {}); } finally { await stack.stop(); }
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { SluiceClient } from 'sluice/client';
import { openStore, type Store } from 'sluice/internal/store';
import { startPostgres, type Postgres } from '../../scripts/postgres';
import { productionTemporal, type TemporalServer } from '../../test/harness/production-temporal';
import { workerToken } from '../../test/harness/python';
import { startWorker, type TestWorker } from '../../test/harness/worker';
import { startWebApp, type WebApp } from '../../test/web/harness';

const ROOT = path.resolve(__dirname, '../..');
const run = promisify(execFile);

export interface ProductionStackOptions {
  /** A directory of the benchmark's own: the harness's temporary files, the workers' spools. */
  tmpDir: string;
  /** The task queue every worker polls (they share it, as replicas of one worker service do). */
  taskQueue: string;
  /** How many `sluice worker` processes (default 2). */
  workers?: number;
  /** The project the workers serve: flows and tasks modules. */
  workflows: string;
  activities: string;
  /** More environment for every worker (e.g. SLUICE_EAGER_TASKS). */
  workerEnv?: Record<string, string>;
  /** More environment for the web app (e.g. SLUICE_RETENTION: 'off' when the benchmark sweeps itself). */
  webEnv?: Record<string, string>;
  say?: (line: string) => void;
}

export interface ProductionStack {
  pg: Postgres;
  server: TemporalServer;
  namespace: string;
  app: WebApp;
  workers: TestWorker[];
  /** Sluice's store (PostgreSQL), opened by the benchmark to read what the workers wrote. */
  store: Store;
  /** Connected to the production server and the store, as a script or the web app starts runs. */
  client: SluiceClient;
  /** The process of each part, for CPU and memory readings. */
  pids: { postgres: number; temporal: number; web: number; workers: number[] };
  /** Stops everything started, in reverse order, and deletes the PostgreSQL cluster. */
  stop(): Promise<void>;
}

export async function startProductionStack(options: ProductionStackOptions): Promise<ProductionStack> {
  const say = options.say ?? (() => {});
  // The harness reads its temporary directory from the test runner's variable; a benchmark gives its own.
  process.env.SLUICE_TEST_TMP ??= options.tmpDir;
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch((err) => say(`while stopping: ${(err as Error).message}`));
  };
  try {
    say('production stack: PostgreSQL, and the production Temporal (built once by scripts/temporal-server.sh)');
    const [temporal, pg] = await Promise.all([productionTemporal(), startPostgres()]);
    stops.push(() => pg.stop());
    const namespace = temporal.stack.TEMPORAL_NAMESPACE!;
    const db = { host: '127.0.0.1', port: Number(new URL(pg.url).port), user: 'postgres', password: '' };
    say("production stack: Temporal's schemas, server and namespace");
    await temporal.setupSchemas(db);
    // Its nine ports are picked free, then bound by the server: on a busy machine another process may take one first.
    const server = await retry(3, /address already in use/, () => temporal.startServer(db));
    stops.push(() => server.stop());
    await temporal.registerNamespace(server.address);
    // compose's one-shot migrate service, before the web app and the workers.
    await run(process.execPath, [path.join(ROOT, 'sdk/bin/sluice.js'), 'migrate'], { env: { ...process.env, DATABASE_URL: pg.url } });

    // The web app harness reads Temporal's settings from the environment, as the test runner sets them.
    Object.assign(process.env, { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: namespace, TEMPORAL_WEB_URL: 'http://127.0.0.1:1/temporal' });
    say('production stack: the web app (next start; built first if web/ or sdk/ changed)');
    const app = await startWebApp({ storeUrl: pg.url, env: { TEMPORAL_WEB_URL: '', TEMPORAL_UI_UPSTREAM: '', ...options.webEnv } });
    stops.push(() => app.stop());

    const count = options.workers ?? 2;
    say(`production stack: ${count} worker(s) through the worker API`);
    const workers = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const token = await workerToken(pg.url, [options.taskQueue]);
        const spool = path.join(options.tmpDir, `spool-${i}`);
        mkdirSync(spool, { recursive: true });
        return startWorker({
          taskQueue: options.taskQueue,
          storeUrl: pg.url,
          remote: { url: app.baseUrl, token },
          workflows: options.workflows,
          activities: options.activities,
          // Each its own spool, as each compose replica has its own container (and volume).
          env: { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: namespace, SLUICE_SPOOL_DIR: spool, SLUICE_LOG_ECHO: 'WARN', ...options.workerEnv },
        });
      }),
    );
    for (const w of workers) stops.push(() => w.stop());

    const store = await openStore(pg.url);
    stops.push(() => store.close());
    const client = await SluiceClient.connect({ address: server.address, namespace, store, temporalWebUrl: '' });
    stops.push(() => client.close());
    return {
      pg,
      server,
      namespace,
      app,
      workers,
      store,
      client,
      pids: { postgres: pg.pid, temporal: server.pid, web: app.pid, workers: workers.map((w) => w.process.pid!) },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function retry<T>(times: number, when: RegExp, attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (i >= times || !when.test((err as Error).message)) throw err;
    }
  }
}
