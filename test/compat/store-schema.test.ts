// Only the store's owner changes its schema (the web app, `sluice migrate`); a worker and the client check it. A
// worker keeps working on a store a newer Sluice migrated, and refuses, saying what to run, one that misses a
// migration it needs. Real worker processes, the suite's Temporal, SQLite files and PostgreSQL databases.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { SluiceClient } from 'sluice/client';
import { SLUICE_VERSION } from 'sluice/internal/compat';
import { SLUICE_BIN } from 'sluice/internal/dev';
import { appliedMigrations, migrateStore, MIGRATION_TABLE, openStore, StoreSchemaError } from 'sluice/internal/store';
import { eventually } from '../harness/eventually';
import { FIXTURES, sqliteStoreUrl } from '../harness/sluice';
import { temporalAddress, temporalNamespace } from '../harness/env';
import { uniqueName } from '../harness/temporal';
import { spawnWorker, waitForOutput } from '../harness/worker';
import { DIALECTS, freshStoreUrl, storeWhere } from '../store/helpers/stores';

const ROOT = resolve(__dirname, '../..');

/**
 * What a newer web app's migration leaves, written as raw SQL the way it would run: a table this version does not
 * know, a nullable column on a table it writes, and the migration's row.
 */
async function migrateToTheFuture(url: string): Promise<void> {
  const store = await openStore(url);
  try {
    await sql`create table future_things (id integer primary key, note text)`.execute(store.db);
    await sql`alter table logs add column future_note text`.execute(store.db);
    await sql`insert into ${sql.table(MIGRATION_TABLE)} (name, timestamp) values ('0999-from-the-future', ${new Date().toISOString()})`.execute(store.db);
  } finally {
    await store.close();
  }
}

describe('a direct-mode worker on a store a newer Sluice migrated', () => {
  test('serves a flow whose log lines arrive, leaving the newer schema alone', async (t) => {
    const storeUrl = sqliteStoreUrl('newer-schema');
    await migrateStore(storeUrl);
    await migrateToTheFuture(storeUrl);
    const taskQueue = uniqueName('newer-schema');
    // spawnWorker, not startWorker: this version's migrator would (rightly) refuse the newer store.
    const worker = spawnWorker({ taskQueue, storeUrl, ...FIXTURES });
    t.after(() => worker.stop());
    await waitForOutput(worker, /worker ready/, 180_000);

    // As the client opens it: checked, not migrated (the harness's testClient would migrate, and be refused).
    const store = await openStore(storeUrl);
    const client = await SluiceClient.connect({ address: temporalAddress(), namespace: temporalNamespace(), store });
    t.after(async () => (await client.close(), await store.close()));
    const ref = await client.start('chattyFlow', { n: 2 });
    assert.equal(await client.waitForResult(ref), 2);
    const lines = await eventually(async () => {
      const rows = await store.readLogs({ runId: ref.runId });
      return rows.some((l) => l.message === 'flow says goodbye') && rows;
    }, 15_000, "the run's last line");
    assert.deepEqual(
      lines.filter((l) => l.task === 'chatty').map((l) => l.message),
      ['task line', 'printed line 2', 'careful now'],
    );
    assert.ok((await appliedMigrations(store.db)).includes('0999-from-the-future'), 'the newer migration is still recorded');
  });
});

describe('a store missing a migration this version needs', () => {
  for (const dialect of DIALECTS) {
    test(`is refused by the worker and the client, naming the store's schema, this version and what to run (${dialect})`, async (t) => {
      const fresh = await freshStoreUrl(dialect, 'missing-migration');
      t.after(() => fresh.cleanup());
      const { applied } = await migrateStore(fresh.url);
      const [newest, previous] = [applied.at(-1)!, applied.at(-2)!];
      // The store of the previous version: its newest migration not run yet.
      const owner = await openStore(fresh.url, { migrate: true });
      await owner.db.deleteFrom(MIGRATION_TABLE as never).where('name' as never, '=', newest as never).execute();
      await owner.close();
      const expected =
        `The store at ${storeWhere(fresh.url)} has schema ${previous}, but sluice ${SLUICE_VERSION} needs migration ${newest}. ` +
        'Only the web app and `sluice migrate` change the schema: run `sluice migrate` with this DATABASE_URL ' +
        '(or upgrade the web app first and let it start), then start this again.';

      const worker = spawnWorker({ taskQueue: uniqueName('missing-migration'), storeUrl: fresh.url, ...FIXTURES });
      assert.equal(await worker.exited, 1, worker.output());
      assert.ok(worker.output().includes(`sluice worker: ${expected}`), worker.output());
      assert.doesNotMatch(worker.output(), /\n\s+at /, 'no stack trace');

      // The client as a script uses it: SluiceClient.connect() opens the store DATABASE_URL names.
      const script = `require('sluice/client').SluiceClient.connect().then(() => process.exit(0), (e) => { console.error(e.name + ': ' + e.message); process.exit(1); })`;
      const client = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: ROOT, env: { ...process.env, DATABASE_URL: fresh.url } });
      assert.equal(client.status, 1, client.stdout + client.stderr);
      assert.equal(client.stderr.trim(), `StoreSchemaError: ${expected}`);
    });
  }
});

describe('sluice migrate', () => {
  const migrate = (storeUrl: string) =>
    spawnSync(process.execPath, [SLUICE_BIN, 'migrate'], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: storeUrl } });

  for (const dialect of DIALECTS) {
    test(`makes a fresh ${dialect} store, then finds nothing to do; a worker's check then passes`, async (t) => {
      const fresh = await freshStoreUrl(dialect, 'sluice-migrate');
      t.after(() => fresh.cleanup());
      await assert.rejects(openStore(fresh.url), StoreSchemaError, 'a fresh store is refused until migrated');

      const first = migrate(fresh.url);
      assert.equal(first.status, 0, first.stderr);
      const store = await openStore(fresh.url); // the check every worker and the client make
      t.after(() => store.close());
      const applied = await appliedMigrations(store.db);
      assert.equal(first.stdout.trim(), `sluice migrate: the store at ${storeWhere(fresh.url)} is at schema ${applied.at(-1)} (sluice ${SLUICE_VERSION}); ran ${applied.join(', ')}`);
      assert.equal(applied[0], '0001-logs');

      const again = migrate(fresh.url);
      assert.equal(again.status, 0, again.stderr);
      assert.equal(again.stdout.trim(), `sluice migrate: the store at ${storeWhere(fresh.url)} is up to date: schema ${applied.at(-1)} (sluice ${SLUICE_VERSION}); nothing to do`);
    });
  }

  test('refuses a store a newer Sluice migrated, exit 1 without a stack, changing nothing', async (t) => {
    const storeUrl = sqliteStoreUrl('migrate-newer');
    await migrateStore(storeUrl);
    await migrateToTheFuture(storeUrl);
    const refused = migrate(storeUrl);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /^sluice migrate: The store at .* was migrated by a newer version of Sluice \(it has migration '0999-from-the-future', which sluice \S+ does not know\)/);
    assert.doesNotMatch(refused.stderr, /\n\s+at /);
    const store = await openStore(storeUrl);
    t.after(() => store.close());
    assert.equal((await appliedMigrations(store.db)).at(-1), '0999-from-the-future');
  });
});
