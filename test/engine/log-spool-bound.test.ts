// The log spool on its own, against a real SQLite store behind a switch: the byte bound and the warning line of
// each run that lost lines to it, a dead worker's spool drained by the next one, a live worker's spool left alone.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openStore, type LogRecord, type LogSink, type Store } from 'sluice/internal/store';
import { openLogSpool } from 'sluice/internal/worker';
import { freshTmpDir } from '../harness/env';
import { eventually } from '../harness/eventually';
import { sqliteStoreUrl } from '../harness/sluice';
import { trackWorker, waitForOutput } from '../harness/worker';

let store: Store;
before(async () => (store = await openStore(sqliteStoreUrl('spool-bound'), { migrate: true })));
after(async () => store?.close());

/** The store, or an error while `down` is true. */
function switchable(): LogSink & { down: boolean } {
  return {
    down: true,
    insertLogs(records, progress) {
      return this.down ? Promise.reject(new Error('the store is down')) : store.insertLogs(records, progress);
    },
  };
}

const line = (runId: string, i: number): LogRecord => ({
  time: Date.now(), level: 'info', message: `${runId} line ${i} ${'x'.repeat(100)}`, workflowId: `wf-${runId}`, runId, flow: 'bound', task: 'push', activityId: '1', attempt: 1,
});
const messagesOf = async (runId: string) =>
  (await store.db.selectFrom('logs').select(['message', 'level']).where('run_id', '=', runId).orderBy('id').execute());

test('beyond SLUICE_SPOOL_MAX_BYTES the oldest lines are dropped and each run is told how many', async () => {
  const sink = switchable();
  const warnings: string[] = [];
  const maxBytes = 64 * 1024;
  const spool = openLogSpool({ dir: freshTmpDir('spool-bound'), sink, maxBytes, segmentBytes: 8 * 1024, shipper: { retryMaxMs: 100 }, warn: (m) => warnings.push(m) });
  const runs = ['run-a', 'run-b', 'run-c'];
  spool.push(line('run-a', 0));
  await spool.sync();
  await eventually(() => spool.stats.failing, 10_000, 'the spool to find the store down');
  const pushed = new Map(runs.map((r) => [r, r === 'run-a' ? 1 : 0]));
  for (let i = 0; i < 3_000; i++) {
    const runId = runs[i % 3]!;
    spool.push(line(runId, pushed.get(runId)!));
    pushed.set(runId, pushed.get(runId)! + 1);
    if (i % 100 === 0) await spool.sync();
  }
  await spool.sync();
  assert.ok(spool.stats.spooledBytes <= maxBytes, `${spool.stats.spooledBytes} bytes kept, bound ${maxBytes}`);
  assert.ok(spool.stats.dropped > 1_000, `dropped ${spool.stats.dropped}`);
  assert.equal(warnings.filter((w) => /spool of 65536 bytes .* is full \(the log store is unreachable\)/.test(w)).length, 1, warnings.join('\n'));

  sink.down = false;
  for (const runId of runs) {
    const rows = await eventually(async () => {
      const rows = await messagesOf(runId);
      return rows.some((r) => r.level === 'warn') && rows;
    }, 15_000, `the warning line of ${runId}`);
    const kept = rows.filter((r) => r.level === 'info').map((r) => r.message);
    const notices = rows.filter((r) => r.level === 'warn').map((r) => r.message);
    const dropped = pushed.get(runId)! - kept.length;
    assert.deepEqual(notices, [`${dropped} log lines of this run were dropped: the log store was unreachable and the spool (65536 bytes) was full`]);
    // What is kept is the newest lines, in order (and the first one, written before the outage for run-a).
    const newest = Array.from({ length: pushed.get(runId)! }, (_, i) => line(runId, i).message).slice(-kept.length + (runId === 'run-a' ? 1 : 0));
    assert.deepEqual(runId === 'run-a' ? kept.slice(1) : kept, newest);
  }
  const closed = await spool.close();
  assert.equal(closed.keptBytes, 0);
  assert.equal(existsSync(closed.dir), false, 'an empty spool directory is removed at close');
});

test("a dead worker's spool is drained by the next worker; a live worker's is left alone", async () => {
  const dir = freshTmpDir('spool-adopt');
  // The dead one: its lines are on disk (it said so), then kill -9.
  const child = trackWorker(spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../fixtures/spool-child.ts'), dir, 'run-dead', '500'], { stdio: ['ignore', 'pipe', 'pipe'] }));
  await waitForOutput(child, /synced/, 60_000);
  await child.kill9();
  const sink = switchable();
  sink.down = false;
  const next = openLogSpool({ dir, sink, warn: () => {} });
  await eventually(async () => (await store.countLogs('run-dead')) === 500, 15_000, "the dead worker's 500 lines");
  assert.deepEqual((await messagesOf('run-dead')).map((r) => r.message), Array.from({ length: 500 }, (_, i) => `line ${i}`));
  assert.equal((await next.close()).written, 500);

  // A live one (this process), store unreachable: a worker starting beside it leaves its lines alone.
  const live = openLogSpool({ dir, sink: switchable(), shipper: { retryMaxMs: 100 }, warn: () => {} });
  for (let i = 0; i < 200; i++) live.push(line('run-live', i));
  await live.sync();
  const beside = openLogSpool({ dir, sink, warn: () => {} });
  assert.equal((await beside.close()).written, 0);
  assert.equal(await store.countLogs('run-live'), 0, "the live worker's lines are its own to send");
  assert.deepEqual(readdirSync(dir).filter((n) => !n.startsWith('.')), [path.basename(live.dir)], 'only the live spool is left');

  // The live one stops with the store down: its lines stay, and its summary says so.
  const stopped = await live.close(500);
  assert.equal(stopped.keptLines, 200);
  const after = openLogSpool({ dir, sink, warn: () => {} });
  await eventually(async () => (await store.countLogs('run-live')) === 200, 15_000, 'the stopped worker\'s 200 lines');
  await after.close();
});
