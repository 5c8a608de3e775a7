// Retention in the real web app: its own sweeper (started by instrumentation.ts) deletes log lines and login
// failures older than the retention soon after start, and the Store page shows the store, its oldest line and
// the sweep — on SQLite following the Temporal namespace's retention (30 days), on PostgreSQL with SLUICE_RETENTION.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStore, type LogRecord, type Store } from 'sluice/internal/store';
import { EnvError, parseEnv } from '../../web/lib/env';
import { formatBytes } from '../../web/lib/format';
import { eventually } from '../harness/eventually';
import { createTestDatabase, type TestDatabase } from '../harness/postgres';
import { sqliteStoreUrl } from '../harness/sluice';
import { pageOutcome, startWebApp, type WebApp } from './harness';

const DAY = 86_400_000;
const NOW = Date.now();

function line(runId: string, time: number): LogRecord {
  return { time, level: 'info', message: `at ${new Date(time).toISOString()}`, workflowId: `wf-${runId}`, runId };
}

/** The text of the element with this data-testid (tags and React's comment markers dropped, entities decoded). */
function textOf(html: string, testId: string): string {
  const match = new RegExp(`data-testid="${testId}"[^>]*>([\\s\\S]*?)</(dd|td)>`).exec(html);
  assert.ok(match, `no element ${testId} on the page`);
  return match[1]!
    .replace(/<[^>]*>/g, '')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .trim();
}

async function firstSweepOf(store: Store) {
  return eventually(async () => (await store.retention.recentSweeps(1)).find((s) => s.sweptBy.startsWith('web app ')), 60_000, "the web app's first sweep");
}

describe('SQLite store, retention from the Temporal namespace', () => {
  let app: WebApp;
  let store: Store;
  before(async () => {
    const storeUrl = sqliteStoreUrl('store-page');
    store = await openStore(storeUrl, { migrate: true });
    await store.insertLogs([line('old', NOW - 31 * DAY), line('old', NOW - 40 * DAY), line('old', NOW - 400 * DAY), line('young', NOW - 29 * DAY), line('young', NOW)]);
    await store.db
      .insertInto('login_failures')
      .values([
        { email: 'old@example.org', address: '192.0.2.1', failures: 2, locked_until: null, updated_at: NOW - 31 * DAY },
        { email: 'young@example.org', address: '192.0.2.1', failures: 1, locked_until: null, updated_at: NOW - DAY },
      ])
      .execute();
    app = await startWebApp({ storeUrl });
  });
  after(async () => {
    await app?.stop();
    await store?.close();
  });

  test('the web app sweeps soon after start: older lines and login failures go, younger stay, and it logs the counts', async () => {
    const sweep = await firstSweepOf(store);
    assert.equal(sweep.deleted.logs, 3);
    assert.equal(sweep.deleted.login_failures, 1);
    assert.ok(Math.abs(sweep.olderThan - (sweep.startedAt - 30 * DAY)) < 5_000, 'the cutoff is the namespace retention (30 days) before the sweep');
    assert.equal(await store.countLogs('old'), 0);
    assert.equal(await store.countLogs('young'), 2);
    assert.deepEqual((await store.db.selectFrom('login_failures').select('email').execute()).map((r) => r.email), ['young@example.org']);
    assert.match(app.output(), /\[sluice\] retention: deleted 3 log lines, 0 artifacts, 0 task progress rows, 0 notification events, 0 notifications, 1 login-failure rows, 0 login-failure rows by address, 0 sweep records older than \S+ \(30 days\)/);
  });

  test('the Store page shows admins the kind, size, rows, oldest line, retention and last sweep; others are refused', async () => {
    await firstSweepOf(store);
    const { outcome, body } = await pageOutcome(await app.fetch('/admin/store', { as: 'admin' }));
    assert.equal(outcome, 'ok');
    assert.equal(textOf(body, 'store-kind'), 'SQLite');
    const stats = await store.stats();
    assert.match(textOf(body, 'store-size'), new RegExp(`^${formatBytes(stats.sizeBytes).replace('.', '\\.')} \\(`));
    assert.equal(textOf(body, 'rows-logs'), '2');
    assert.equal(textOf(body, 'rows-login_failures'), '1');
    assert.equal(textOf(body, 'rows-users'), '3');
    assert.equal(textOf(body, 'store-oldest-log'), `${new Date(NOW - 29 * DAY).toISOString().slice(0, 19).replace('T', ' ')} UTC`);
    assert.match(textOf(body, 'store-retention'), /^30 days — the Temporal namespace's retention/);
    assert.match(textOf(body, 'store-last-sweep'), /, 4 rows deleted$/);
    assert.equal(textOf(body, 'sweep-0-logs'), '3');
    assert.match(body, /href="\/admin\/store"/, 'the admin menu links the page');

    for (const role of ['viewer', 'operator'] as const) {
      const refused = await pageOutcome(await app.fetch('/admin/store', { as: role }));
      assert.equal(refused.outcome, 'forbidden', `${role} on /admin/store`);
      assert.ok(!refused.body.includes('data-testid="store-size"'));
    }
    assert.equal((await pageOutcome(await app.fetch('/admin/store'))).outcome, 'login');
  });
});

describe('PostgreSQL store, SLUICE_RETENTION=2d', () => {
  let db: TestDatabase;
  let app: WebApp;
  let store: Store;
  before(async () => {
    db = await createTestDatabase('store_page');
    store = await openStore(db.url, { migrate: true });
    await store.insertLogs([line('old', NOW - 3 * DAY), line('young', NOW - DAY)]);
    app = await startWebApp({ storeUrl: db.url, env: { SLUICE_RETENTION: '2d' } });
  });
  after(async () => {
    await app?.stop();
    await store?.close();
    await db?.drop();
  });

  test('lines older than SLUICE_RETENTION go; the page says PostgreSQL and where the retention comes from', async () => {
    const sweep = await firstSweepOf(store);
    assert.equal(sweep.deleted.logs, 1);
    assert.equal(await store.countLogs('young'), 1);
    const { outcome, body } = await pageOutcome(await app.fetch('/admin/store', { as: 'admin' }));
    assert.equal(outcome, 'ok');
    assert.equal(textOf(body, 'store-kind'), 'PostgreSQL');
    assert.ok(Number(/data-testid="store-size" data-bytes="(\d+)"/.exec(body)?.[1]) > 0, 'pg_database_size');
    assert.equal(textOf(body, 'rows-logs'), '1');
    assert.match(textOf(body, 'store-retention'), /^2 days — SLUICE_RETENTION=2d/);
  });
});

test('a SLUICE_RETENTION the web app cannot use stops it with a message naming the variable', () => {
  assert.throws(() => parseEnv({ SLUICE_RETENTION: '30' }), (e: Error) => e instanceof EnvError && /SLUICE_RETENTION: '30' is not a retention period/.test(e.message));
  assert.deepEqual(parseEnv({ SLUICE_RETENTION: 'off' }).retention, { kind: 'off' });
  assert.deepEqual(parseEnv({}).retention, { kind: 'namespace' });
});
