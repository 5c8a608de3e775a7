/**
 * The web app's one store and one Sluice client, shared by every page, server action and route handler
 * of this process. Kept on globalThis because Next bundles routes separately (and dev reloads modules):
 * a module-level variable would open a connection per bundle.
 */
import 'server-only';
import { SluiceClient } from 'sluice/client';
import { openStore } from 'sluice/internal/store';
import type { Store } from 'sluice/internal/store';
import { getEnv } from './env';

interface Singletons {
  store?: Promise<Store>;
  client?: Promise<SluiceClient>;
}

const key = Symbol.for('sluice.web.singletons');
const singletons: Singletons = ((globalThis as Record<symbol, unknown>)[key] as Singletons | undefined) ??
  ((globalThis as Record<symbol, unknown>)[key] = {});

/**
 * Sluice's store (users, tokens, logs). Opened on first use (at start-up, lib/auth/start-up.ts); works while
 * Temporal is down, so log-in does too. The web app owns the store: it brings the schema up to date, workers
 * only check it.
 */
export function getStore(): Promise<Store> {
  singletons.store ??= openStore(getEnv().storeUrl, { migrate: true }).catch((err) => {
    singletons.store = undefined; // try again on the next request instead of failing forever
    throw err;
  });
  return singletons.store;
}

/**
 * The Sluice client (Temporal + store). Connected on first use.
 *
 * @example const sluice = await getSluice(); const page = await sluice.listRuns({ status: 'running' });
 */
export function getSluice(): Promise<SluiceClient> {
  singletons.client ??= (async () => {
    const { temporal, temporalWeb } = getEnv();
    return SluiceClient.connect({
      temporal, // address, namespace, TLS and API key, as the worker connects (sluice/temporal)
      // Links go through the web app's own /temporal, never straight to the UI server (TEMPORAL_WEB_URL).
      temporalWebUrl: temporalWeb.linkBase,
      store: await getStore(),
    });
  })().catch((err) => {
    singletons.client = undefined;
    throw err;
  });
  return singletons.client;
}
