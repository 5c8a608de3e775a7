// The store's owner (the web app, `sluice migrate`) creates or updates its tables: on a fresh database, on one
// already migrated, when several processes do it at once, and with clear errors when it cannot. Every other
// opener checks the schema: newer migrations are fine, missing ones are refused with what to run.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { migrateStore, openStore, StoreOpenError, StoreSchemaError, type Store } from 'sluice/internal/store';
import { appliedMigrations, MIGRATION_TABLE } from 'sluice/internal/store';
import { freePort } from 'sluice/internal/dev';
import { freshTmpDir } from '../harness/env';
import { DIALECTS, freshStoreUrl } from './helpers/stores';

const ALL = [
  '0001-logs', '0002-flows', '0003-users-and-tokens', '0004-flow-catalog-by-queue', '0005-notifications', '0006-flow-run-timeout',
  '0007-retention', '0008-sessions-and-sign-in', '0009-tasks', '0010-flow-repository', '0011-login-failures-per-address',
  '0012-task-progress', '0013-worker-tokens', '0014-log-ordering', '0015-artifacts', '0018-replay-findings', '0019-log-search',
];
const TABLES = [
  'api_tokens', 'artifacts', 'flows', 'login_failures', 'login_failures_by_address', 'logs', 'notification_channels', 'notification_deliveries',
  'notification_events', 'notification_rules', 'notifier_state', 'replay_findings', 'retention_sweeps', 'revoked_sessions', 'sluice_migration',
  'sluice_migration_lock', 'task_progress', 'tasks', 'users',
];

/** What a newer Sluice's web app would leave: a migration this version does not know (raw SQL, as it would be). */
async function addFutureMigration(url: string): Promise<void> {
  const store = await openStore(url);
  try {
    await store.db
      .insertInto(MIGRATION_TABLE as never)
      .values({ name: '0999-from-the-future', timestamp: new Date().toISOString() } as never)
      .execute();
  } finally {
    await store.close();
  }
}

async function tableNames(store: Store): Promise<string[]> {
  const tables = await store.db.introspection.getTables();
  return tables.map((t) => t.name).sort();
}

for (const dialect of DIALECTS) {
  describe(`migrations on ${dialect}`, () => {
    test('a fresh database gets every table; reopening it changes nothing and keeps the data', async (t) => {
      const fresh = await freshStoreUrl(dialect, 'migrate');
      t.after(() => fresh.cleanup());

      const first = await openStore(fresh.url, { migrate: true });
      try {
        assert.deepEqual(await tableNames(first), TABLES);
        assert.deepEqual(await appliedMigrations(first.db), ALL);
        await first.insertLogs([{ time: 1, level: 'info', message: 'kept', workflowId: 'w', runId: 'r' }]);
      } finally {
        await first.close();
      }

      const again = await openStore(fresh.url, { migrate: true });
      try {
        assert.deepEqual(await appliedMigrations(again.db), ALL);
        assert.deepEqual((await again.readLogs({ runId: 'r' })).map((l) => l.message), ['kept']);
      } finally {
        await again.close();
      }
    });

    test('users and tokens tables refuse what the web app must never store', async (t) => {
      const fresh = await freshStoreUrl(dialect, 'constraints');
      t.after(() => fresh.cleanup());
      const store = await openStore(fresh.url, { migrate: true });
      t.after(() => store.close());
      const user = { email: 'ada@example.org', name: 'Ada', password_hash: 'h', role: 'admin' as const, created_at: Date.now() };

      const { id } = await store.db.insertInto('users').values(user).returning('id').executeTakeFirstOrThrow();
      assert.equal(typeof id, 'number');
      await assert.rejects(store.db.insertInto('users').values({ ...user, email: 'ada@example.org' }).execute(), /unique|duplicate/i);
      await assert.rejects(store.db.insertInto('users').values({ ...user, email: 'Bob@example.org' }).execute(), /check|constraint/i);
      await assert.rejects(store.db.insertInto('users').values({ ...user, email: 'eve@x.org', role: 'root' as never }).execute(), /check|constraint/i);

      const token = { name: 'ci', token_hash: 'abc', role: 'operator' as const, created_by: id, created_at: Date.now() };
      await store.db.insertInto('api_tokens').values(token).execute();
      await assert.rejects(store.db.insertInto('api_tokens').values({ ...token, name: 'again' }).execute(), /unique|duplicate/i);
      // Deleting the creator keeps the token (it may still be in use) and forgets who made it.
      await store.db.deleteFrom('users').where('id', '=', id).execute();
      const kept = await store.db.selectFrom('api_tokens').selectAll().executeTakeFirstOrThrow();
      assert.equal(kept.created_by, null);
      assert.equal(typeof kept.created_at, 'number');

      const failure = { email: 'nobody@example.org', address: '192.0.2.1', failures: 3, locked_until: null, updated_at: 5 };
      await store.db.insertInto('login_failures').values(failure).execute();
      // One row per (email, address): the same email from another address is a row of its own.
      await store.db.insertInto('login_failures').values({ ...failure, address: '2001:db8::/64' }).execute();
      await assert.rejects(store.db.insertInto('login_failures').values(failure).execute(), /unique|duplicate/i);
      const failures = await store.db.selectFrom('login_failures').selectAll().orderBy('address').execute();
      assert.deepEqual(failures, [failure, { ...failure, address: '2001:db8::/64' }]);
    });

    test('a store migrated by a newer Sluice: opened and used by this version, refused to its migrator', async (t) => {
      const fresh = await freshStoreUrl(dialect, 'newer');
      t.after(() => fresh.cleanup());
      await migrateStore(fresh.url);
      await addFutureMigration(fresh.url);

      const store = await openStore(fresh.url);
      try {
        await store.insertLogs([{ time: 1, level: 'info', message: 'written by an older worker', workflowId: 'w', runId: 'r' }]);
        assert.deepEqual((await store.readLogs({ runId: 'r' })).map((l) => l.message), ['written by an older worker']);
      } finally {
        await store.close();
      }
      // Migrating is for the newest Sluice only: an older one must not run its migrations under a newer schema.
      for (const migrate of [() => migrateStore(fresh.url), () => openStore(fresh.url, { migrate: true })]) {
        await assert.rejects(migrate(), (err: Error) => {
          assert.ok(err instanceof StoreOpenError, String(err));
          assert.match(err.message, /newer version of Sluice/);
          assert.match(err.message, /0999-from-the-future/);
          return true;
        });
      }
    });

    test('an empty store is refused to every opener but its owner', async (t) => {
      const fresh = await freshStoreUrl(dialect, 'empty');
      t.after(() => fresh.cleanup());
      await assert.rejects(openStore(fresh.url), (err: Error) => {
        assert.ok(err instanceof StoreSchemaError, String(err));
        assert.match(err.message, /has no Sluice tables yet \(schema: none\), but sluice \S+ needs migrations 0001-logs, /);
        assert.match(err.message, /run `sluice migrate`/);
        return true;
      });
      const { migrated, applied } = await migrateStore(fresh.url);
      assert.deepEqual(migrated, ALL);
      assert.deepEqual(applied, ALL);
      assert.deepEqual((await migrateStore(fresh.url)).migrated, [], 'a second migration has nothing to do');
    });
  });
}

test('several processes opening one fresh SQLite file at once all succeed, and migrate it once', async () => {
  const file = resolve(freshTmpDir('store-concurrent'), 'sluice.db');
  const storeModule = require.resolve('sluice/internal/store');
  const startAt = Date.now() + 2_000; // every child opens at the same moment, once all have loaded
  const child = () =>
    new Promise<{ code: number | null; output: string }>((done) => {
      const script = `setTimeout(() => require(${JSON.stringify(storeModule)}).openStore(${JSON.stringify(`sqlite:${file}`)}, { migrate: true })` +
        `.then((s) => s.close()).then(() => console.log('opened'), (e) => { console.error(e); process.exit(1); }), ${startAt} - Date.now());`;
      const p = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      p.stdout.on('data', (d) => (output += d));
      p.stderr.on('data', (d) => (output += d));
      p.on('close', (code) => done({ code, output }));
    });
  // Hold the write lock while they start, so all of them reach the migration before any can write:
  // the race the worker and the web app run when both start on a new machine.
  const holder = new BetterSqlite3(file);
  holder.pragma('journal_mode = WAL');
  holder.exec('BEGIN IMMEDIATE');
  setTimeout(() => holder.exec('COMMIT'), 3_000);
  const results = await Promise.all([child(), child(), child(), child()]);
  holder.close();
  for (const r of results) assert.equal(r.code, 0, r.output);
  const store = await openStore(`sqlite:${file}`);
  try {
    const rows = await store.db.selectFrom(MIGRATION_TABLE as never).select('name' as never).execute();
    assert.equal(rows.length, ALL.length);
  } finally {
    await store.close();
  }
});

test('several openStore calls in one process on one fresh SQLite file at once all succeed', async () => {
  const url = `sqlite:${resolve(freshTmpDir('store-concurrent'), 'sluice.db')}`;
  const stores = await Promise.all([openStore(url, { migrate: true }), openStore(url, { migrate: true }), openStore(url, { migrate: true })]);
  try {
    assert.deepEqual(await appliedMigrations(stores[2].db), ALL);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
});

test('several openStore calls on one fresh PostgreSQL database at once all succeed', async (t) => {
  const fresh = await freshStoreUrl('postgres', 'concurrent');
  t.after(() => fresh.cleanup());
  const stores = await Promise.all([openStore(fresh.url, { migrate: true }), openStore(fresh.url, { migrate: true }), openStore(fresh.url, { migrate: true })]);
  try {
    assert.deepEqual(await appliedMigrations(stores[0].db), ALL);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
});

test('an unreachable PostgreSQL or an unwritable SQLite folder is a readable error', async () => {
  const port = await freePort();
  await assert.rejects(openStore(`postgres://sluice:hunter2@127.0.0.1:${port}/sluice`), (err: Error) => {
    assert.ok(err instanceof StoreOpenError);
    assert.match(err.message, /Could not connect to the log store at postgres:\/\/sluice:\*\*\*@127\.0\.0\.1/);
    assert.match(err.message, /DATABASE_URL/);
    assert.doesNotMatch(err.message, /hunter2/);
    return true;
  });
  // A folder that cannot be created: its parent is a file.
  const blocker = resolve(freshTmpDir('store-unwritable'), 'a-file');
  writeFileSync(blocker, '');
  await assert.rejects(openStore(`sqlite:${blocker}/data/sluice.db`), (err: Error) => {
    assert.ok(err instanceof StoreOpenError);
    assert.match(err.message, /Could not open the SQLite store at .*a-file\/data\/sluice\.db: ENOTDIR/);
    assert.match(err.message, /SLUICE_DATA_DIR/);
    return true;
  });
});
