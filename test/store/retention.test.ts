// Retention: per-run data older than the cutoff is deleted in batches, younger data stays, and a log line stays
// while Temporal still has its run; the same body on SQLite and on PostgreSQL, against real databases and the
// suite's Temporal server.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, type Connection } from '@temporalio/client';
import { openStore, parseRetention, RetentionSweeper, StoreQueryError, type LogRecord, type Store } from 'sluice/internal/store';
import { runsTemporalKeeps } from 'sluice/internal/temporal';
import { temporalNamespace } from '../harness/env';
import { eventually } from '../harness/eventually';
import { testConnection, uniqueName } from '../harness/temporal';
import { DIALECTS, freshStorePair, freshStoreUrl, type FreshStoreUrl, type StorePair } from './helpers/stores';

const DAY = 86_400_000;
const NOW = Date.now();
const CUTOFF = NOW - 30 * DAY;
/** For the tests about other tables: no run is kept, lines go by their time. */
const NO_RUN_KEPT = async () => new Set<string>();

function lines(runId: string, n: number, time: (i: number) => number): LogRecord[] {
  return Array.from({ length: n }, (_, i) => ({ time: time(i), level: 'info', message: `line ${i}`, workflowId: `wf-${runId}`, runId }));
}

for (const dialect of DIALECTS) {
  describe(`retention on ${dialect}`, () => {
    let pair: StorePair;
    let store: Store;
    /** A second, independent connection: another process's writer. */
    let other: Store;
    before(async () => {
      pair = await freshStorePair(dialect, 'retention');
      ({ store, other } = pair);
    });
    after(() => pair?.close());

    test('log lines older than the cutoff are deleted in batches of batchSize; younger lines stay; writers go on between batches', async () => {
      await store.insertLogs(lines('old', 2_500, (i) => CUTOFF - 1_000 - i));
      await store.insertLogs(lines('young', 300, (i) => CUTOFF + 1_000 + i));
      const batches: number[] = [];
      const seenByOther: number[] = [];
      const result = await store.retention.sweep({
        olderThan: CUTOFF,
        runsKept: NO_RUN_KEPT,
        batchSize: 1_000,
        pauseMs: 0,
        onBatch: async (table, deleted) => {
          if (table !== 'logs') return;
          batches.push(deleted);
          // Each batch has committed on its own: another connection already sees those lines gone…
          seenByOther.push(await other.countLogs('old'));
          // …and can write while the sweep is under way (on SQLite this insert would fail with "database is
          // locked" if the sweep held its write transaction across batches).
          await other.insertLogs(lines('written-during-sweep', 1, () => NOW));
        },
      });
      assert.deepEqual(batches, [1_000, 1_000, 500], 'three DELETEs, none over the batch size');
      assert.deepEqual(seenByOther, [1_500, 500, 0]);
      assert.equal(result.deleted.logs, 2_500);
      assert.equal(await store.countLogs('old'), 0);
      assert.equal(await store.countLogs('young'), 300, 'lines younger than the cutoff stay');
      assert.equal(await store.countLogs('written-during-sweep'), 3, 'every write made during the sweep is kept');
      const kept = await store.readLogs({ runId: 'young', limit: 1 });
      assert.equal(kept[0]!.time, CUTOFF + 1_000);
    });

    test('login failures and the notification outbox older than the cutoff are deleted; what is still to send or still locked stays', async () => {
      const old = CUTOFF - DAY;
      const young = NOW - DAY;
      await store.db
        .insertInto('login_failures')
        .values([
          { email: 'old@example.org', address: '192.0.2.1', failures: 3, locked_until: null, updated_at: old },
          // The same email from another address, counted lately: the key is the pair, so this row stays.
          { email: 'old@example.org', address: '192.0.2.9', failures: 1, locked_until: null, updated_at: young },
          { email: 'young@example.org', address: '192.0.2.2', failures: 1, locked_until: null, updated_at: young },
          // An old row that somehow still holds a lock: a sweep must not lift it.
          { email: 'locked@example.org', address: '192.0.2.1', failures: 5, locked_until: NOW + DAY, updated_at: old },
        ])
        .execute();
      await store.db
        .insertInto('login_failures_by_address')
        .values([
          { address: '192.0.2.1', failures: 30, locked_until: null, updated_at: old },
          { address: '192.0.2.2', failures: 2, locked_until: null, updated_at: young },
        ])
        .execute();
      const delivery = async (status: 'sent' | 'failed' | 'retrying', at: number) =>
        Number(
          (
            await store.db
              .insertInto('notification_deliveries')
              .values({ rule_key: 'r', channel: 'c', status, subject: status, event_count: 1, next_attempt_at: at, last_error: null, created_at: at, sent_at: null, updated_at: at })
              .returning('id')
              .executeTakeFirstOrThrow()
          ).id,
        );
      const sentOld = await delivery('sent', old);
      const failedOld = await delivery('failed', old);
      const retryingOld = await delivery('retrying', old);
      const sentYoung = await delivery('sent', young);
      const event = (runId: string, at: number, deliveryId: number | null) => ({
        rule_key: 'r', channel: 'c', workflow_id: `wf-${runId}`, run_id: runId, event: 'failed', flow: 'f', deployment: null, detail: '{}', recorded_at: at, delivery_id: deliveryId,
      });
      await store.db
        .insertInto('notification_events')
        .values([event('e-sent-old', old, sentOld), event('e-failed-old', old, failedOld), event('e-retrying-old', old, retryingOld), event('e-young', young, sentYoung), event('e-ungrouped-old', old, null)])
        .execute();

      const result = await store.retention.sweep({ olderThan: CUTOFF, runsKept: NO_RUN_KEPT, batchSize: 2, pauseMs: 0 });
      assert.equal(result.deleted.login_failures, 1);
      assert.equal(result.deleted.notification_deliveries, 2);
      assert.equal(result.deleted.notification_events, 3);
      const pairs = (await store.db.selectFrom('login_failures').select(['email', 'address']).orderBy('email').orderBy('address').execute()).map((r) => `${r.email} ${r.address}`);
      assert.deepEqual(pairs, ['locked@example.org 192.0.2.1', 'old@example.org 192.0.2.9', 'young@example.org 192.0.2.2']);
      assert.equal(result.deleted.login_failures_by_address, 1);
      const addresses = (await store.db.selectFrom('login_failures_by_address').select('address').execute()).map((r) => r.address);
      assert.deepEqual(addresses, ['192.0.2.2']);
      const deliveries = (await store.db.selectFrom('notification_deliveries').select('id').orderBy('id').execute()).map((r) => Number(r.id));
      assert.deepEqual(deliveries, [retryingOld, sentYoung], 'a message still being retried is the outbox at work');
      const events = (await store.db.selectFrom('notification_events').select('run_id').orderBy('run_id').execute()).map((r) => r.run_id);
      assert.deepEqual(events, ['e-retrying-old', 'e-young']);
    });

    test('two sweeps at once delete every old line exactly once, without errors', async () => {
      await store.insertLogs(lines('race', 3_000, (i) => CUTOFF - 10 - i));
      const [a, b] = await Promise.all([
        store.retention.sweep({ olderThan: CUTOFF, runsKept: NO_RUN_KEPT, batchSize: 200, pauseMs: 0, sweptBy: 'a' }),
        other.retention.sweep({ olderThan: CUTOFF, runsKept: NO_RUN_KEPT, batchSize: 200, pauseMs: 0, sweptBy: 'b' }),
      ]);
      assert.equal(a.deleted.logs + b.deleted.logs, 3_000);
      assert.equal(await store.countLogs('race'), 0);
    });

    test('sweeps are recorded, and the stats show the size, the rows and the oldest line', async () => {
      const sweeps = await store.retention.recentSweeps(10);
      assert.ok(sweeps.length >= 4, `every sweep so far is recorded, got ${sweeps.length}`);
      assert.ok(sweeps.some((s) => s.deleted.logs === 2_500 && s.olderThan === Math.trunc(CUTOFF)));
      assert.ok(sweeps.every((s, i) => i === 0 || sweeps[i - 1]!.finishedAt >= s.finishedAt), 'newest first');

      const stats = await store.stats();
      assert.equal(stats.dialect, dialect);
      assert.ok(stats.sizeBytes > 0);
      assert.equal(stats.freeBytes === null, dialect === 'postgres');
      assert.equal(stats.rows.logs, 303);
      assert.equal(stats.rows.login_failures, 3);
      assert.equal(stats.rows.notification_deliveries, 2);
      assert.equal(stats.oldestLogTime, CUTOFF + 1_000);

      // Old sweep records go like everything else.
      const all = await store.retention.sweep({ olderThan: NOW + DAY, runsKept: NO_RUN_KEPT, pauseMs: 0 });
      assert.equal(all.deleted.retention_sweeps, sweeps.length);
      assert.equal((await store.retention.recentSweeps()).length, 1, 'only the sweep that just ran');
      assert.equal((await store.stats()).oldestLogTime, null);
    });

    test('the sweeper sweeps soon after start with the retention it is given, and logs what it deleted per table', async () => {
      await store.insertLogs(lines('sweeper-old', 5, () => CUTOFF - DAY));
      await store.insertLogs(lines('sweeper-young', 5, () => NOW));
      const said: string[] = [];
      let asked = 0;
      // The first ask fails (as when Temporal is not up yet): the sweeper says so and tries again after retryMs.
      const retentionMs = async () => {
        if (asked++ === 0) throw new Error('Temporal is not reachable');
        return 30 * DAY;
      };
      const sweeper = new RetentionSweeper({ store, retentionMs, runsKept: NO_RUN_KEPT, sweptBy: 'test', firstDelayMs: 0, retryMs: 0, pauseMs: 0, log: (l) => said.push(l) });
      sweeper.start();
      try {
        const line = await eventually(() => said.find((l) => l.startsWith('retention: deleted 5 log lines, 0 artifacts, 0 task progress rows, 0 notification events')), 10_000, 'the sweep line');
        assert.match(line, /\(30 days\)/);
        assert.equal(said[0], 'retention: sweep failed: Temporal is not reachable; trying again in 0 s');
      } finally {
        await sweeper.stop();
      }
      assert.equal(await store.countLogs('sweeper-old'), 0);
      assert.equal(await store.countLogs('sweeper-young'), 5);
      assert.equal((await store.retention.recentSweeps(1))[0]!.sweptBy, 'test');
      const off = new RetentionSweeper({ store, retentionMs: async () => null, runsKept: NO_RUN_KEPT, sweptBy: 'test' });
      assert.equal(await off.sweepNow(), null, 'retention off: no sweep');
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`retention and Temporal's runs on ${dialect}`, () => {
    let fresh: FreshStoreUrl;
    let store: Store;
    let connection: Connection;
    let client: Client;
    // No worker polls this queue: a run started on it stays open (running) until the test closes it.
    const taskQueue = uniqueName('retention-runs');
    const started: { workflowId: string; runId: string }[] = [];
    const start = async (name: string) => {
      const handle = await client.workflow.start('retentionProbe', { taskQueue, workflowId: uniqueName(name) });
      started.push({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId });
      return { handle, runId: handle.firstExecutionRunId };
    };
    /** What Temporal's retention does once a closed run's time is up: the run is deleted, visibility forgets it (the dev
     * server takes about 20 s). */
    const deleteRun = async (workflowId: string, runId: string) => {
      await connection.workflowService.deleteWorkflowExecution({ namespace: temporalNamespace(), workflowExecution: { workflowId, runId } });
      await eventually(async () => !(await runsTemporalKeeps(client, [runId])).has(runId), 90_000, `Temporal to forget run ${runId}`);
    };
    before(async () => {
      fresh = await freshStoreUrl(dialect, 'retention_runs');
      store = await openStore(fresh.url, { migrate: true });
      connection = await testConnection();
      client = new Client({ connection, namespace: temporalNamespace() });
    });
    after(async () => {
      // The shared server would keep an open run forever.
      for (const s of started) await client?.workflow.getHandle(s.workflowId, s.runId).terminate('test over').catch(() => undefined);
      await connection?.close();
      await store?.close();
      await fresh?.cleanup();
    });

    test('an open run and a closed run Temporal keeps keep their old lines; a run Temporal deleted (or never had) loses them; Temporal is asked per batch of lines, each run once', async () => {
      const open = await start('open');
      const closed = await start('closed');
      await closed.handle.terminate('closed for the test');
      const gone = await start('gone');
      await gone.handle.terminate('closed for the test');
      await deleteRun(gone.handle.workflowId, gone.runId);
      // The open run's lines are the oldest: the sweep must get past them to the lines behind.
      await store.insertLogs(lines(open.runId, 5, (i) => CUTOFF - 20 * DAY - i));
      await store.insertLogs(lines(closed.runId, 5, (i) => CUTOFF - 10 * DAY - i));
      await store.insertLogs(lines(gone.runId, 5, (i) => CUTOFF - 5 * DAY - i));
      await store.insertLogs(lines(gone.runId, 2, (i) => NOW - i));
      const unknown = Array.from({ length: 300 }, (_, i) => `never-in-temporal-${i}`);
      // Each run's 3 lines together in time, so every batch of lines brings runs not asked about yet.
      for (const [k, runId] of unknown.entries()) await store.insertLogs(lines(runId, 3, (i) => CUTOFF - DAY - 10 * k - i));

      const asked: string[][] = [];
      const result = await store.retention.sweep({
        olderThan: CUTOFF,
        batchSize: 200,
        pauseMs: 0,
        runsKept: async (ids) => (asked.push(ids), runsTemporalKeeps(client, ids)),
      });
      assert.equal(await store.countLogs(open.runId), 5, 'a running run keeps its lines, however old');
      assert.equal(await store.countLogs(closed.runId), 5, 'a closed run Temporal still keeps keeps its lines');
      assert.equal(await store.countLogs(gone.runId), 2, 'a deleted run loses its old lines (its young ones stay until they are old)');
      for (const runId of unknown) assert.equal(await store.countLogs(runId), 0);
      assert.equal(result.deleted.logs, 5 + 900);
      const ids = asked.flat();
      assert.equal(asked.length, Math.ceil(915 / 200), 'one question per batch of 200 lines');
      assert.equal(ids.length, 303, 'each run asked about once per sweep');
      assert.equal(new Set(ids).size, 303);

      // The running run ends, and later Temporal's retention deletes it: the next sweep takes its lines.
      await open.handle.terminate('done');
      const again = await store.retention.sweep({ olderThan: CUTOFF, pauseMs: 0, runsKept: (ids) => runsTemporalKeeps(client, ids) });
      assert.equal(again.deleted.logs, 0, 'closed but still kept by Temporal: its lines stay');
      await deleteRun(open.handle.workflowId, open.runId);
      const last = await store.retention.sweep({ olderThan: CUTOFF, pauseMs: 0, runsKept: (ids) => runsTemporalKeeps(client, ids) });
      assert.equal(last.deleted.logs, 5);
      assert.equal(await store.countLogs(open.runId), 0);
      assert.equal(await store.countLogs(closed.runId), 5);
    });

    test('when Temporal cannot answer, no line is deleted and the sweep fails saying why', async () => {
      await store.insertLogs(lines('unanswered', 3, () => CUTOFF - DAY));
      await assert.rejects(
        store.retention.sweep({ olderThan: CUTOFF, pauseMs: 0, runsKept: async () => { throw new Error('Temporal is not reachable'); } }),
        /Temporal is not reachable/,
      );
      assert.equal(await store.countLogs('unanswered'), 3);
    });
  });
}

test('bad sweep options are refused with a message saying what to use', async () => {
  const store = await openStore('sqlite::memory:', { migrate: true });
  try {
    await assert.rejects(store.retention.sweep({ olderThan: Number.NaN, runsKept: NO_RUN_KEPT }), (e: Error) => e instanceof StoreQueryError && /olderThan must be a time/.test(e.message));
    await assert.rejects(store.retention.sweep({ olderThan: NOW, runsKept: NO_RUN_KEPT, batchSize: 0 }), /batchSize must be a whole number from 1/);
  } finally {
    await store.close();
  }
});

test('SLUICE_RETENTION: unset follows the namespace, a duration of an hour or more, or off', () => {
  assert.deepEqual(parseRetention(undefined), { kind: 'namespace' });
  assert.deepEqual(parseRetention(' '), { kind: 'namespace' });
  assert.deepEqual(parseRetention('off'), { kind: 'off' });
  assert.deepEqual(parseRetention('90d'), { kind: 'fixed', ms: 90 * DAY, text: '90d' });
  assert.deepEqual(parseRetention('720h'), { kind: 'fixed', ms: 30 * DAY, text: '720h' });
  for (const bad of ['30', '5m', 'soon', '-3d']) assert.throws(() => parseRetention(bad), /SLUICE_RETENTION: '.*' is not a retention period; use a duration of at least an hour/);
});
