/**
 * What a browser test of a page with live runs needs, started in one call: the built app (`next start`) on its own
 * store, a real worker on that store serving the file's fixtures, a client of the suite's Temporal, and Debian's
 * Chromium. `stop()` closes them in reverse order (whatever started).
 *
 * @example
 * let stack: BrowserStack;
 * before(async () => { stack = await startBrowserStack({ taskQueue: uniqueName('ask-web'), ...FIXTURES }); });
 * after(() => stack?.stop());
 */
import type { Browser } from 'playwright-core';
import type { SluiceClient } from 'sluice/client';
import type { Store } from 'sluice/internal/store';
import { testClient } from '../harness/sluice';
import { startWorker, type TestWorker, type WorkerOptions } from '../harness/worker';
import { launchBrowser, startWebApp, type StartOptions, type WebApp } from './harness';

export interface BrowserStack {
  app: WebApp;
  worker: TestWorker;
  client: SluiceClient;
  store: Store;
  browser: Browser;
  stop(): Promise<void>;
}

export async function startBrowserStack(worker: Omit<WorkerOptions, 'storeUrl'>, web: StartOptions = {}): Promise<BrowserStack> {
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s();
  };
  try {
    const app = await startWebApp(web);
    stops.push(() => app.stop());
    const started = await startWorker({ ...worker, storeUrl: app.storeUrl });
    stops.push(() => started.stop());
    const { client, store, close } = await testClient(app.storeUrl);
    stops.push(close);
    const browser = await launchBrowser();
    stops.push(() => browser.close());
    return { app, worker: started, client, store, browser, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
