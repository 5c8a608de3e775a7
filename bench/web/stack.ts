/**
 * Everything the web benchmarks run against, started for this run only: a Temporal dev server, a SQLite store
 * in a temporary directory, the web app (`next start` on the build the web tests share, built if its sources
 * changed), a Sluice worker serving bench/web/project, a Sluice client, Chromium, and an HTTP receiver the web
 * app's notifier sends to (its channel `bench-hooks`).
 *
 * The web app comes from test/web/harness.ts (read-only reuse): it coordinates the one `.next` build with the
 * test processes other engineers run at the same time, seeds one user per role and logs them in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { startDevServer, type DevServer } from 'sluice/internal/dev';
import { SluiceClient } from 'sluice/client';
import { openStore, type Store } from 'sluice/internal/store';
import { startSluiceWorker, type WorkerProcess } from '../lib/worker-process';
import { startByteCounter, type ByteCounter } from './byte-counter';
import { buildWebApp } from '../../scripts/web-build';
import { launchBrowser, startWebApp, type WebApp } from '../../test/web/harness';

export const PROJECT = path.join(__dirname, 'project');
const NAMESPACE = 'default';

export interface Stack {
  server: DevServer;
  app: WebApp;
  /** The web app reaches Temporal through this: what it reads from Temporal, in bytes. */
  appToTemporal: ByteCounter;
  worker: WorkerProcess;
  client: SluiceClient;
  store: Store;
  browser: Browser;
  tmpDir: string;
  /** How long `next build` took (0 when the last build was of the same sources). */
  buildMs: number;
  /** What the web app's notifier POSTed to its channel `bench-hooks`: each message's subject and run count. */
  hooks: { subject: string; events: number; at: number }[];
  stop(): Promise<void>;
}

/** Starts the stack; whatever has started is stopped again if a later part fails. */
export async function startStack(say: (line: string) => void): Promise<Stack> {
  const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-web-'));
  const stops: (() => Promise<unknown>)[] = [async () => rmSync(tmpDir, { recursive: true, force: true })];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch((err) => say(`while stopping: ${(err as Error).message}`));
  };
  try {
    say(`starting a Temporal dev server (temporary files in ${tmpDir})`);
    const server = await startDevServer();
    stops.push(() => server.stop());
    // The harness reads these, as the test runner sets them.
    process.env.TEMPORAL_ADDRESS = server.address;
    process.env.TEMPORAL_NAMESPACE = NAMESPACE;
    process.env.TEMPORAL_WEB_URL = server.uiUrl;

    say('building the web app (skipped when its sources are unchanged since the last build)');
    const buildMs = await buildWebApp();
    const storeUrl = `sqlite:${path.join(tmpDir, 'sluice.db')}`;
    const appToTemporal = await startByteCounter(server.address);
    stops.push(() => appToTemporal.stop());
    const hooks: Stack['hooks'] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { subject: string; events: unknown[] };
        hooks.push({ subject: message.subject, events: message.events.length, at: Date.now() });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    stops.push(() => new Promise((resolve) => receiver.close(resolve)));
    say('starting the web app (next start)');
    const app = await startWebApp({
      storeUrl,
      env: {
        TEMPORAL_ADDRESS: appToTemporal.address,
        // The notifier's channel: the receiver above, on loopback (allowed for this stack only).
        SLUICE_CHANNEL_BENCH_HOOKS: `webhook:http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
        SLUICE_WEBHOOK_ALLOW_LOCAL: 'true',
      },
    });
    stops.push(() => app.stop());

    say('starting a worker on bench/web/project (bundling the flows takes a few seconds)');
    const worker = await startSluiceWorker({
      address: server.address,
      taskQueue: 'bench-web',
      storeUrl,
      workflows: path.join(PROJECT, 'flows.ts'),
      activities: path.join(PROJECT, 'tasks.ts'),
    });
    stops.push(() => worker.stop());

    const store = await openStore(storeUrl, { migrate: true });
    stops.push(() => store.close());
    const client = await SluiceClient.connect({ address: server.address, namespace: NAMESPACE, store, temporalWebUrl: server.uiUrl });
    stops.push(() => client.close());

    const browser = await launchBrowser();
    stops.push(() => browser.close());
    return { server, app, appToTemporal, worker, client, store, browser, tmpDir, buildMs, hooks, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
