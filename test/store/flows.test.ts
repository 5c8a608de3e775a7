// The flow catalog the worker publishes and the web app reads: the same test body on both databases.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStore, type FlowEntry, type Store } from 'sluice/store';
import { DIALECTS, freshStoreUrl, type FreshStoreUrl } from './helpers/stores';

const rainfall: FlowEntry = {
  name: 'rainfall',
  taskQueue: 'hydro',
  description: 'Daily rainfall per station',
  parametersSchema: { type: 'object', properties: { station: { type: 'string' } }, required: ['station'] },
  deployments: [{ name: 'nightly', cron: '0 2 * * *', parameters: { station: 'BER' } }],
  updatedAt: 1_700_000_000_000,
  runTimeoutMs: 7_200_000,
};

for (const dialect of DIALECTS) {
  describe(`flow catalog on ${dialect}`, () => {
    let fresh: FreshStoreUrl;
    let store: Store;
    before(async () => {
      fresh = await freshStoreUrl(dialect, 'flows');
      store = await openStore(fresh.url);
    });
    after(async () => {
      await store?.close();
      await fresh?.cleanup();
    });

    test('flows are added, read back whole, replaced by name, and listed by name', async () => {
      const gauges: FlowEntry = { name: 'gauges', taskQueue: 'hydro', description: null, parametersSchema: {}, deployments: [], updatedAt: 1, runTimeoutMs: null };
      await store.upsertFlows([rainfall, gauges]);
      await store.upsertFlows([]);
      assert.deepEqual(await store.getFlow('rainfall'), rainfall);
      assert.equal(await store.getFlow('nope'), undefined);
      assert.deepEqual((await store.listFlows()).map((f) => f.name), ['gauges', 'rainfall']);

      const changed: FlowEntry = { ...rainfall, taskQueue: 'hydro-v2', description: null, deployments: [], updatedAt: rainfall.updatedAt + 1 };
      await store.upsertFlows([changed]);
      assert.deepEqual(await store.getFlow('rainfall'), changed);
      assert.deepEqual(await store.getFlow('gauges'), gauges, 'flows of other workers stay');
      assert.equal((await store.listFlows()).length, 2);
    });
  });
}
