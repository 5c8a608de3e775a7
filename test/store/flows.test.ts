// The flow catalog the workers publish and the web app reads, keyed by (task queue, flow): the same test body
// on both databases.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { logOrderingMigration } from '../../sdk/src/store/migrations/0014-log-ordering';
import { logSearchMigration } from '../../sdk/src/store/migrations/0019-log-search';
import { usersAndTokensMigration } from '../../sdk/src/store/migrations/0003-users-and-tokens';
import { sql } from 'kysely';
import { FlowNameTakenError, MIGRATION_TABLE, openStore, TaskQueueTakenError, type FlowEntry, type Store } from 'sluice/internal/store';
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
const gauges: FlowEntry = { name: 'gauges', taskQueue: 'hydro', description: null, parametersSchema: {}, deployments: [], updatedAt: 1, runTimeoutMs: null };
const tides: FlowEntry = { name: 'tides', taskQueue: 'coast', description: null, parametersSchema: {}, deployments: [], updatedAt: 2, runTimeoutMs: null };
const live = (e: FlowEntry): FlowEntry => ({ ...e, goneAt: null, repository: null });

for (const dialect of DIALECTS) {
  describe(`flow catalog on ${dialect}`, () => {
    let fresh: FreshStoreUrl;
    let store: Store;
    before(async () => {
      fresh = await freshStoreUrl(dialect, 'flows');
      store = await openStore(fresh.url, { migrate: true });
    });
    after(async () => {
      await store?.close();
      await fresh?.cleanup();
    });

    test('a queue publishes its whole set: flows are added, read back whole, listed by name; other queues stay', async () => {
      await store.publishFlows('hydro', [rainfall, gauges]);
      await store.publishFlows('coast', [tides]);
      assert.deepEqual(await store.getFlow('rainfall'), live(rainfall));
      assert.equal(await store.getFlow('nope'), undefined);
      assert.deepEqual((await store.listFlows()).map((f) => f.name), ['gauges', 'rainfall', 'tides']);

      const changed: FlowEntry = { ...rainfall, description: null, deployments: [], updatedAt: rainfall.updatedAt + 1 };
      await store.publishFlows('hydro', [changed, gauges]);
      assert.deepEqual(await store.getFlow('rainfall'), live(changed));
      assert.deepEqual(await store.getFlow('tides'), live(tides), 'flows of other queues stay');
    });

    test('a flow its queue no longer declares is gone, listed with its time, and live again once declared', async () => {
      await store.publishFlows('hydro', [rainfall], {}, 5_000);
      assert.equal(await store.getFlow('gauges'), undefined, 'a gone flow is not the live entry');
      assert.deepEqual(await store.getFlow('gauges', { includeGone: true }), { ...gauges, goneAt: 5_000, repository: null });
      assert.deepEqual((await store.listFlows()).map((f) => [f.name, f.goneAt]), [['gauges', 5_000], ['rainfall', null], ['tides', null]]);
      assert.deepEqual(await store.getFlow('tides'), live(tides), 'only the publishing queue’s flows become gone');

      await store.publishFlows('hydro', [rainfall, gauges]);
      assert.deepEqual(await store.getFlow('gauges'), live(gauges));
    });

    test('a name another queue serves is refused unless taken over; the taken-over entry is gone', async () => {
      const theirs: FlowEntry = { ...tides, taskQueue: 'hydro' };
      await assert.rejects(store.publishFlows('hydro', [rainfall, gauges, theirs]), (err: Error) => {
        assert.ok(err instanceof FlowNameTakenError, String(err));
        assert.deepEqual(err.clashes, [{ flow: 'tides', taskQueue: 'hydro', servedBy: 'coast' }]);
        return true;
      });
      assert.deepEqual((await store.flowsOfQueue('hydro')).map((f) => [f.name, f.goneAt]), [['gauges', null], ['rainfall', null]], 'a refused publish changes nothing');

      await store.publishFlows('hydro', [rainfall, gauges, theirs], { takeOver: ['tides'] }, 7_000);
      assert.deepEqual(await store.getFlow('tides'), live(theirs));
      assert.deepEqual((await store.flowsOfQueue('coast')).map((f) => [f.name, f.goneAt]), [['tides', 7_000]]);
      assert.deepEqual((await store.listFlows()).map((f) => [f.name, f.taskQueue]), [['gauges', 'hydro'], ['rainfall', 'hydro'], ['tides', 'hydro']], 'one entry per name: the live one');
    });

    test("a queue serving one repository's flows is refused to another, changing nothing; entries from before belong to the first that declares one", async () => {
      const river: FlowEntry = { ...gauges, name: 'river', taskQueue: 'shared' };
      const lake: FlowEntry = { ...gauges, name: 'lake', taskQueue: 'shared' };
      await store.publishFlows('shared', [river], {}, 10_000); // before repositories were recorded
      const refused = (repository: string, flows: string[], servedFor: string | null) => (err: Error) => {
        assert.ok(err instanceof TaskQueueTakenError, String(err));
        assert.deepEqual(err.clash, { taskQueue: 'shared', repository, servedFor, flows });
        assert.match(err.message, /"sluice": \{ "taskQueue": "NAME" \} in its package\.json/);
        return true;
      };
      await assert.rejects(store.publishFlows('shared', [lake], { repository: 'lakes' }), refused('lakes', ['river'], null));
      await store.publishFlows('shared', [river], { repository: 'rivers' }, 11_000);
      assert.equal((await store.getFlow('river'))?.repository, 'rivers', 'it declares river: the entry from before is its own');

      await assert.rejects(store.publishFlows('shared', [lake], { repository: 'lakes' }, 12_000), refused('lakes', ['river'], 'rivers'));
      assert.deepEqual((await store.flowsOfQueue('shared')).map((f) => [f.name, f.goneAt, f.repository]), [['river', null, 'rivers']], 'the refused publish retired nothing');
      await store.publishFlows('shared', [lake, river], { repository: 'rivers' }, 13_000);
      await store.publishFlows('shared', [river], { repository: 'rivers' }, 14_000);
      assert.deepEqual((await store.flowsOfQueue('shared')).map((f) => [f.name, f.goneAt]), [['lake', 14_000], ['river', null]], 'its own worker still retires its flows');
    });

    test('an empty set marks every flow of the queue gone', async () => {
      await store.publishFlows('hydro', [], {}, 9_000);
      assert.deepEqual((await store.flowsOfQueue('hydro')).map((f) => f.goneAt), [9_000, 9_000, 9_000]);
      assert.deepEqual((await store.getFlow('tides', { includeGone: true }))?.taskQueue, 'hydro', 'the newest gone entry of a name');
    });
  });

  test(`migration 0004 on ${dialect} keeps the rows of the catalog keyed by name`, async (t) => {
    const old = await freshStoreUrl(dialect, 'flows_0004');
    t.after(() => old.cleanup());
    // Put the store back as 0003 left it: the old table with one flow, and nothing of any later migration,
    // so opening it runs 0004 and every migration after it, in order, as an upgrade does.
    const before = await openStore(old.url, { migrate: true });
    const of0003 = ['logs', 'flows', 'users', 'api_tokens', 'login_failures', MIGRATION_TABLE, 'sluice_migration_lock'];
    for (const table of await before.db.introspection.getTables()) {
      if (of0003.includes(table.name)) continue;
      const drop = before.db.schema.dropTable(table.name);
      await (dialect === 'postgres' ? drop.cascade() : drop).execute(); // later tables may reference each other
    }
    // Later migrations also add columns, checks and indexes to 0003's tables, and functions (0014): take those off
    // again, with 0014's and 0019's own ways back, and 0003's tables made anew as 0003 makes them.
    await before.db.schema.dropIndex('logs_time').ifExists().execute();
    await logOrderingMigration(dialect).down!(before.db);
    await logSearchMigration(dialect).down!(before.db);
    for (const table of ['api_tokens', 'login_failures', 'users']) await before.db.schema.dropTable(table).execute();
    await usersAndTokensMigration(dialect).up(before.db);
    await before.db.schema.dropTable('flows').execute();
    await sql`create table flows (name text primary key, task_queue text not null, description text, parameters_schema text not null, deployments text not null, updated_at bigint not null)`.execute(before.db);
    await sql`insert into flows values ('rainfall', 'hydro', null, '{}', '[]', 42)`.execute(before.db);
    await before.db.deleteFrom(MIGRATION_TABLE as never).where('name' as never, '>', '0003-users-and-tokens' as never).execute();
    await before.close();

    const after = await openStore(old.url, { migrate: true });
    t.after(() => after.close());
    assert.deepEqual(await after.getFlow('rainfall'), { name: 'rainfall', taskQueue: 'hydro', description: null, parametersSchema: {}, deployments: [], updatedAt: 42, goneAt: null, runTimeoutMs: null, repository: null });
    await assert.rejects(
      after.db.insertInto('flows').values({ task_queue: 'other', name: 'rainfall', parameters_schema: '{}', deployments: '[]', updated_at: 1, gone_at: null }).execute(),
      /unique|duplicate/i,
      'one live entry per flow name',
    );
  });
}
