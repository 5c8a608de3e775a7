// A real outage of the log store: PostgreSQL is stopped in the middle of a stream of log lines and
// started again. Nothing may be lost while the buffer has room, and nothing may be written out of order.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LogShipper, openStore, type LogRecord, type Store } from 'sluice/internal/store';
import { startRestartablePostgres, type RestartablePostgres } from './helpers/restartable-postgres';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
const rec = (runId: string, i: number): LogRecord => ({
  time: Date.now(), level: 'info', message: `line ${i}`, fields: { i }, workflowId: `wf-${runId}`, runId, flow: 'outage', task: 'stream', attempt: 1,
});

/** Every message of a run, in id order. */
async function messagesOf(store: Store, runId: string): Promise<string[]> {
  const rows = await store.db.selectFrom('logs').select('message').where('run_id', '=', runId).orderBy('id').execute();
  return rows.map((r) => r.message);
}

let pg: RestartablePostgres;
let store: Store;
before(async () => {
  pg = await startRestartablePostgres();
  store = await openStore(pg.url, { migrate: true });
});
after(async () => {
  await store?.close();
  await pg?.destroy();
});

test('lines pushed while PostgreSQL is down are all written, in order, once it is back', async () => {
  const warnings: string[] = [];
  const shipper = new LogShipper(store, { batchSize: 500, flushIntervalMs: 20, retryMaxMs: 300, warn: (m) => warnings.push(m) });
  let pushed = 0;
  let producing = true;
  // ~10,000 lines/s from a steady producer, like a busy worker.
  const producer = (async () => {
    while (producing) {
      for (let k = 0; k < 50; k++) shipper.push(rec('run-outage', pushed++));
      await sleep(5);
    }
  })();

  await waitFor('lines to flow', () => shipper.stats.written >= 2_000);
  await pg.stop(); // mid-stream: a write is usually in flight right now
  await waitFor('the shipper to notice', () => shipper.stats.failing);
  const pushedAtStop = pushed;
  await sleep(1_500);
  assert.ok(pushed > pushedAtStop + 1_000, 'the producer kept pushing during the outage');
  assert.ok(shipper.stats.pending >= pushed - pushedAtStop - 500, `lines wait in memory: ${JSON.stringify(shipper.stats)}`);
  await pg.start();
  await sleep(500);
  producing = false;
  await producer;
  await shipper.flush();

  assert.deepEqual(shipper.stats, { written: pushed, dropped: 0, pending: 0, failing: false });
  const messages = await messagesOf(store, 'run-outage');
  assert.equal(messages.length, pushed);
  assert.deepEqual(messages, Array.from({ length: pushed }, (_, i) => `line ${i}`));
  assert.equal(warnings.length, 2, warnings.join('\n'));
  assert.match(warnings[0], /cannot write to the log store/);
  assert.match(warnings[1], /writable again/);
  await shipper.close();
});

test('when the outage outlasts the buffer, the oldest lines are dropped and the run is told how many', async () => {
  const warnings: string[] = [];
  const shipper = new LogShipper(store, { capacity: 1_000, batchSize: 200, flushIntervalMs: 10, retryMaxMs: 200, warn: (m) => warnings.push(m) });
  const runId = 'run-overflow';
  for (let i = 0; i < 500; i++) shipper.push(rec(runId, i));
  await shipper.flush();

  await pg.stop();
  shipper.push(rec(runId, 500));
  await waitFor('the shipper to notice', () => shipper.stats.failing);
  for (let i = 501; i < 3_500; i++) shipper.push(rec(runId, i));
  assert.equal(shipper.stats.pending, 1_000);
  await pg.start();
  await shipper.flush();
  await waitFor('the drop notice', () => shipper.stats.pending === 0 && !shipper.stats.failing);
  await sleep(200);

  assert.deepEqual(await shipper.close(), { written: 1_500, dropped: 2_000, pending: 0 });
  const messages = await messagesOf(store, runId);
  const expected = [
    ...Array.from({ length: 500 }, (_, i) => `line ${i}`),
    ...Array.from({ length: 1_000 }, (_, i) => `line ${2_500 + i}`),
  ];
  assert.deepEqual(messages.filter((m) => m.startsWith('line ')), expected);
  const notices = await store.readLogs({ runId, minLevel: 'warn' });
  assert.deepEqual(notices.map((n) => n.message), [
    '2000 log lines of this run were dropped: the log store was unreachable and the buffer (1000 lines) was full',
  ]);
  assert.equal(notices[0].workflowId, `wf-${runId}`);
  assert.equal(warnings.filter((w) => /buffer of 1000 log lines is full/.test(w)).length, 1, warnings.join('\n'));
});

test('a connection cut in the middle of a transaction fails that call, it does not crash the process', async () => {
  const cut = store.db.transaction().execute(async (trx) => {
    await trx.selectFrom('logs').select('id').limit(1).execute();
    // The server goes away while this connection sits idle inside the transaction: pg reports that as an
    // 'error' event on a checked-out client, which crashes the process unless the store listens for it.
    await pg.stop();
    await sleep(100);
    await trx.selectFrom('logs').select('id').limit(1).execute();
  });
  await assert.rejects(cut);
  await pg.start();
  await store.insertLogs([rec('run-after-cut', 0)]);
  assert.deepEqual(await messagesOf(store, 'run-after-cut'), ['line 0']);
});
