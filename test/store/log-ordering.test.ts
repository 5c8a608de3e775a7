// The live tail with several writers on PostgreSQL: a writer stuck mid-batch blocks no other writer and no other
// run's tail; the tail never skips a line that commits late, and never repeats one. (SQLite has one writer at a
// time; log-ordering-concurrency.test.ts runs the concurrency check on both.)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { Client } from 'pg';
import { openStore, type LogRecord, type Store } from 'sluice/internal/store';
import { eventually } from '../harness/eventually';
import { freshStoreUrl, type FreshStoreUrl } from './helpers/stores';
import { LogTail, tableMessages } from './helpers/log-tail';

const line = (runId: string, message: string): LogRecord => ({ time: Date.now(), level: 'info', message, workflowId: `wf-${runId}`, runId });

/** Rejects naming `what` if `work` has not settled after `ms`: a writer that waits for a stuck one fails here. */
async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not done after ${ms} ms`)), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A writer on its own connection that begins a transaction, inserts a batch and stops there, as a worker whose
 * process hung mid-batch would. `declared`: it first declares its run, as Sluice's writers do
 * (Store.insertLogsIn); otherwise it is a plain INSERT (hand-written SQL, an older Sluice).
 */
async function stuckWriter(url: string, runId: string, messages: string[], options: { declared: boolean }) {
  const client = new Client({ connectionString: url });
  const ended = new Promise<Error>((resolve) => client.on('error', resolve));
  await client.connect();
  await client.query('begin');
  if (options.declared) await client.query('select sluice_declare_log_writer($1::text[])', [[runId]]);
  await client.query(
    `insert into logs (time, level, message, workflow_id, run_id) select $1, 'info', m, $2, $3 from unnest($4::text[]) with ordinality as u(m, n) order by n`,
    [Date.now(), `wf-${runId}`, runId, messages],
  );
  return { client, ended, commit: () => client.query('commit'), close: () => client.end().catch(() => undefined) };
}

describe('log ordering on postgres', () => {
  let fresh: FreshStoreUrl;
  let writerA: Store;
  let writerB: Store;
  let reader: Store;
  before(async () => {
    fresh = await freshStoreUrl('postgres', 'order');
    [writerA, writerB, reader] = [await openStore(fresh.url, { migrate: true }), await openStore(fresh.url), await openStore(fresh.url)];
  });
  after(async () => {
    for (const s of [writerA, writerB, reader]) await s?.close();
    await fresh?.cleanup();
  });

  test("a writer stuck mid-batch blocks no writer and no other run; its own run's tail waits, then has every line once, in order", async () => {
    const [stuckRun, otherRun] = ['run-stuck', 'run-other'];
    const tail = new LogTail(reader, [stuckRun, otherRun]);
    const stuck = await stuckWriter(fresh.url, stuckRun, ['stuck 1', 'stuck 2', 'stuck 3'], { declared: true });
    try {
      // Batches to both runs, from two other writers, while the stuck one holds lower ids of run-stuck.
      const writes = [writerA, writerB].map(async (store, w) => {
        for (let b = 0; b < 5; b++) await store.insertLogs([line(otherRun, `other w${w} b${b}`), line(stuckRun, `after w${w} b${b}`)]);
      });
      await within(Promise.all(writes), 10_000, 'the other writers committing while one writer is stuck');

      await eventually(async () => (await tail.poll(), tail.messages(otherRun).length === 10), 10_000, "the other run's 10 lines in its tail");
      assert.deepEqual(tail.messages(otherRun), await tableMessages(reader, otherRun), 'the other run: every committed line once, in order');
      // Committed, but above the stuck writer's floor: held back, not handed out past its uncommitted lines.
      assert.equal((await tableMessages(reader, stuckRun)).length, 10);
      await tail.poll();
      assert.deepEqual(tail.messages(stuckRun), []);

      await stuck.commit();
      await eventually(async () => (await tail.poll(), tail.messages(stuckRun).length === 13), 10_000, "run-stuck's 13 lines in its tail");
      assert.deepEqual(tail.messages(stuckRun).slice(0, 3), ['stuck 1', 'stuck 2', 'stuck 3'], 'the late batch is not skipped');
      assert.deepEqual(tail.messages(stuckRun), await tableMessages(reader, stuckRun), 'run-stuck: every committed line once, in order');
    } finally {
      await stuck.close();
    }
  });

  test("a plain INSERT left open holds back every run's newer lines until the server's timeout ends it; then every tail goes on, skipping nothing", async () => {
    const runs = ['run-killed', 'run-a', 'run-b'];
    const tail = new LogTail(reader, runs);
    await writerA.insertLogs([line('run-a', 'a before'), line('run-killed', 'killed-run before')]);
    await eventually(async () => (await tail.poll(), tail.messages('run-a').length === 1), 10_000, 'the first line of run-a');
    const stuck = await stuckWriter(fresh.url, 'run-killed', ['never committed'], { declared: false });
    try {
      await within(writerB.insertLogs([line('run-a', 'a during'), line('run-b', 'b during'), line('run-killed', 'killed-run during')]), 10_000, 'a writer while a plain INSERT is open');
      // It did not say which runs it writes: every run's newer lines wait for it (committed, not yet handed out).
      await tail.poll();
      assert.deepEqual(await tableMessages(reader, 'run-b'), ['b during']);
      assert.deepEqual([tail.messages('run-a'), tail.messages('run-b')], [['a before'], []]);
      // Sluice's sessions have this timeout from the start (15 s); this one gets a short one, set mid-transaction.
      await stuck.client.query('set idle_in_transaction_session_timeout = 500');
      const why = await within(stuck.ended, 10_000, "the server ending the stuck writer's session");
      assert.match(why.message, /idle-in-transaction timeout/);
      const expected = { 'run-killed': ['killed-run before', 'killed-run during'], 'run-a': ['a before', 'a during'], 'run-b': ['b during'] };
      await eventually(async () => (await tail.poll(), runs.every((r) => tail.messages(r).length === expected[r as keyof typeof expected].length)), 10_000, "every run's lines after the timeout");
      for (const runId of runs) {
        assert.deepEqual(await tableMessages(reader, runId), expected[runId as keyof typeof expected]);
        assert.deepEqual(tail.messages(runId), expected[runId as keyof typeof expected], `${runId}: every committed line once, in order`);
      }
      assert.ok(!tail.messages('run-killed').includes('never committed'));
    } finally {
      await stuck.close();
    }
  });

  test("Sluice's own sessions carry the idle-in-transaction timeout that ends a stuck one (as above)", async () => {
    const { rows } = await sql<{ idle_in_transaction_session_timeout: string }>`show idle_in_transaction_session_timeout`.execute(reader.db);
    assert.equal(rows[0]?.idle_in_transaction_session_timeout, '15s');
  });
});
