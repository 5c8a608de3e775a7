/** A client API and a private store for one test file, against the suite's Temporal server. */
import path from 'node:path';
import { SluiceClient } from 'sluice/client';
import { openStore, type Store } from 'sluice/internal/store';
import { freshTmpDir, temporalAddress, temporalNamespace, temporalWebUrl } from './env';

export const FIXTURES = {
  workflows: path.resolve(__dirname, '../fixtures/flows.ts'),
  activities: path.resolve(__dirname, '../fixtures/tasks.ts'),
};

/** The flows and tasks of the limits tests (concurrency and rate limits). */
export const LIMIT_FIXTURES = {
  workflows: path.resolve(__dirname, '../fixtures/limit-flows.ts'),
  activities: path.resolve(__dirname, '../fixtures/limit-tasks.ts'),
};

/** A fresh SQLite store file under the suite's temp dir: `sqlite:/…/sluice.db`. */
export function sqliteStoreUrl(name: string): string {
  return `sqlite:${path.join(freshTmpDir(name), 'sluice.db')}`;
}

export async function testClient(storeUrl: string): Promise<{ client: SluiceClient; store: Store; close(): Promise<void> }> {
  const store = await openStore(storeUrl, { migrate: true });
  const client = await SluiceClient.connect({ address: temporalAddress(), namespace: temporalNamespace(), store, temporalWebUrl: temporalWebUrl() });
  return { client, store, close: async () => (await client.close(), await store.close()) };
}
