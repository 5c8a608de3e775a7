// LogShipper against sinks the test controls (unit tests of the buffering rules; the real-database
// outage is in log-shipper-outage.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LogShipper, type LogRecord, type ProgressRecord } from 'sluice/internal/store';

const rec = (i: number, runId = 'run-1'): LogRecord => ({ time: i, level: 'info', message: `m${i}`, workflowId: `wf-${runId}`, runId, flow: 'f' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits until `condition` holds (this machine may be busy: no fixed sleeps where an event is meant). */
async function waitFor(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** A sink that records what it got and fails while `down` is true. */
class FakeSink {
  rows: LogRecord[] = [];
  calls: number[] = [];
  down = false;
  async insertLogs(records: LogRecord[]) {
    this.calls.push(records.length);
    await sleep(1);
    if (this.down) throw new Error('connect ECONNREFUSED');
    this.rows.push(...records);
  }
  messages = (runId?: string) => this.rows.filter((r) => !runId || r.runId === runId).map((r) => r.message);
}

test('push only buffers; flush writes everything in order, in batches of batchSize', async () => {
  const sink = new FakeSink();
  const shipper = new LogShipper(sink, { batchSize: 40, flushIntervalMs: 10_000 });
  for (let i = 0; i < 100; i++) shipper.push(rec(i));
  assert.equal(sink.calls.length, 0, 'no write happens inside push');
  assert.deepEqual(shipper.stats, { written: 0, dropped: 0, pending: 100, failing: false });
  await shipper.flush();
  assert.deepEqual(sink.messages(), Array.from({ length: 100 }, (_, i) => `m${i}`));
  assert.ok(sink.calls.every((n) => n <= 40), `batches ${sink.calls}`);
  assert.deepEqual(await shipper.close(), { written: 100, dropped: 0, pending: 0 });
});

test('flush() right after a drain writes at once instead of waiting for the interval', async () => {
  // The interval is an hour: a flush that waited for it would never resolve within the test.
  const sink = { rows: 0, async insertLogs(records: LogRecord[]) { this.rows += records.length; } };
  const shipper = new LogShipper(sink, { batchSize: 40, flushIntervalMs: 3_600_000 });
  for (let round = 1; round <= 3; round++) {
    // Pushed in the same turn as the previous flush resolved, while its drain is still winding down.
    for (let i = 0; i < 100; i++) shipper.push(rec(i));
    await shipper.flush();
    assert.equal(sink.rows, round * 100);
  }
  assert.deepEqual(await shipper.close(), { written: 300, dropped: 0, pending: 0 });
});

test('a lone record is written after flushIntervalMs without anyone calling flush', async () => {
  const sink = new FakeSink();
  const shipper = new LogShipper(sink, { flushIntervalMs: 20 });
  shipper.push(rec(1));
  await waitFor('the timed write', () => sink.rows.length === 1);
  assert.deepEqual(sink.messages(), ['m1']);
  await shipper.close();
});

test('while the store fails, records wait and land in order once it is back; warns once each way', async () => {
  const sink = new FakeSink();
  const warnings: string[] = [];
  const shipper = new LogShipper(sink, { batchSize: 7, flushIntervalMs: 5, retryMaxMs: 100, warn: (m) => warnings.push(m) });
  sink.down = true;
  const flushed = (async () => {
    for (let i = 0; i < 50; i++) {
      shipper.push(rec(i));
      await sleep(2);
    }
    await shipper.flush();
  })();
  await waitFor('the first failed write', () => shipper.stats.failing);
  await waitFor('two retries', () => sink.calls.length >= 3);
  sink.down = false;
  await flushed;
  assert.deepEqual(sink.messages(), Array.from({ length: 50 }, (_, i) => `m${i}`));
  assert.deepEqual(shipper.stats, { written: 50, dropped: 0, pending: 0, failing: false });
  assert.equal(warnings.length, 2, warnings.join('\n'));
  assert.match(warnings[0], /cannot write to the log store \(connect ECONNREFUSED\); keeping up to 100000 log lines/);
  assert.match(warnings[1], /writable again/);
  await shipper.close();
});

test('a full buffer drops the OLDEST lines, warns once, and tells each affected run once the store is back', async () => {
  const sink = new FakeSink();
  const warnings: string[] = [];
  const shipper = new LogShipper(sink, { capacity: 10, batchSize: 4, flushIntervalMs: 1, retryMaxMs: 100, warn: (m) => warnings.push(m) });
  sink.down = true;
  shipper.push(rec(0, 'run-a'));
  await waitFor('the first failed write', () => shipper.stats.failing);
  for (let i = 1; i < 30; i++) {
    shipper.push(rec(i, i % 2 ? 'run-a' : 'run-b'));
    if (i % 5 === 0) await sleep(3); // let retries (and drops of a retried batch) interleave
  }
  assert.equal(shipper.stats.dropped, 20);
  assert.equal(shipper.stats.pending, 10);
  sink.down = false;
  await shipper.flush();

  const kept = sink.rows.filter((r) => r.level === 'info');
  assert.deepEqual(kept.map((r) => r.message), Array.from({ length: 10 }, (_, i) => `m${20 + i}`), 'the newest 10 survive, in order');
  const notices = sink.rows.filter((r) => r.level === 'warn');
  // run-a lost m0 and the odd ones up to m19 (11 lines); run-b the even ones from m2 to m18 (9 lines).
  assert.deepEqual(
    notices.map((n) => [n.runId, n.workflowId, n.message]).sort(),
    [
      ['run-a', 'wf-run-a', '11 log lines of this run were dropped: the log store was unreachable and the buffer (10 lines) was full'],
      ['run-b', 'wf-run-b', '9 log lines of this run were dropped: the log store was unreachable and the buffer (10 lines) was full'],
    ],
  );
  assert.deepEqual(notices[0].fields, { droppedLines: notices[0].runId === 'run-a' ? 11 : 9, bufferCapacity: 10 });
  assert.equal(warnings.filter((w) => /buffer of 10 log lines is full/.test(w)).length, 1, warnings.join('\n'));
  assert.deepEqual(await shipper.close(), { written: 10, dropped: 20, pending: 0 });
});

test('lines dropped while their batch is being written count as dropped only if that write fails', async () => {
  // A sink whose writes the test finishes by hand.
  const writes: { records: LogRecord[]; finish: (ok: boolean) => void }[] = [];
  const sink = {
    insertLogs: (records: LogRecord[]) =>
      new Promise<void>((resolve, reject) => writes.push({ records, finish: (ok) => (ok ? resolve() : reject(new Error('timeout'))) })),
  };
  const shipper = new LogShipper(sink, { capacity: 4, batchSize: 4, flushIntervalMs: 1, retryMaxMs: 100, warn: () => undefined });
  for (let i = 0; i < 4; i++) shipper.push(rec(i));
  await waitFor('the first write', () => writes.length === 1);
  shipper.push(rec(4)); // full: m0 is doomed if this write fails
  shipper.push(rec(5)); // m1 too
  assert.deepEqual(shipper.stats, { written: 0, dropped: 0, pending: 4, failing: false });
  writes[0].finish(false);
  await waitFor('the failure', () => shipper.stats.failing);
  assert.equal(shipper.stats.dropped, 2);
  await waitFor('the retry', () => writes.length === 2);
  assert.deepEqual(writes[1].records.map((r) => r.message), ['m2', 'm3'], 'the retry writes what is left of the batch');
  shipper.push(rec(6)); // full again (m2 m3 in flight + m4 m5): m2 doomed, but this write will succeed
  writes[1].finish(true);
  await waitFor('the drop notice', () => writes.length === 3);
  assert.equal(shipper.stats.dropped, 2, 'm2 was written after all, not dropped');
  const notice = writes[2].records;
  assert.equal(notice.length, 1);
  assert.match(notice[0].message, /^2 log lines of this run were dropped/);
  writes[2].finish(true);
  await waitFor('the next batch', () => writes.length === 4);
  assert.deepEqual(writes[3].records.map((r) => r.message), ['m4', 'm5', 'm6']);
  writes[3].finish(true);
  assert.deepEqual(await shipper.close(), { written: 5, dropped: 2, pending: 0 });
});

test('dropping because the store is too slow (not down) says so', async () => {
  const sink = new FakeSink();
  const shipper = new LogShipper(sink, { capacity: 5, flushIntervalMs: 1, warn: () => undefined });
  for (let i = 0; i < 12; i++) shipper.push(rec(i));
  await shipper.flush();
  assert.deepEqual(sink.messages().filter((m) => m.startsWith('m')), ['m7', 'm8', 'm9', 'm10', 'm11']);
  await waitFor('the drop notice', () => sink.rows.length === 6);
  assert.deepEqual(sink.rows.filter((r) => r.level === 'warn').map((r) => r.message), [
    '7 log lines of this run were dropped: the log store was too slow and the buffer (5 lines) was full',
  ]);
  await shipper.close();
});

test('close gives up after its timeout while the store is down, and drops what is pushed afterwards', async () => {
  const sink = new FakeSink();
  const warnings: string[] = [];
  const shipper = new LogShipper(sink, { flushIntervalMs: 1, retryMaxMs: 100, warn: (m) => warnings.push(m) });
  sink.down = true;
  for (let i = 0; i < 3; i++) shipper.push(rec(i));
  const pendingFlush = shipper.flush();
  const started = Date.now();
  assert.deepEqual(await shipper.close(300), { written: 0, dropped: 0, pending: 3 });
  assert.ok(Date.now() - started >= 290);
  await pendingFlush; // resolves at close instead of waiting forever
  shipper.push(rec(9));
  shipper.push(rec(10));
  assert.equal(shipper.stats.dropped, 2);
  assert.equal(warnings.filter((w) => /after close\(\)/.test(w)).length, 1);
  const callsAtClose = sink.calls.length;
  sink.down = false;
  await sleep(200);
  assert.equal(sink.calls.length, callsAtClose, 'nothing is written after close');
});

test('push never throws, whatever it is given', () => {
  const shipper = new LogShipper({ insertLogs: async () => undefined }, { warn: () => undefined });
  assert.doesNotThrow(() => shipper.push(null as never));
  assert.doesNotThrow(() => shipper.push(undefined as never));
  assert.equal(shipper.stats.pending, 0);
  assert.equal(shipper.stats.dropped, 2);
  assert.throws(() => new LogShipper({ insertLogs: async () => undefined }, { capacity: 0 }), /capacity must be a whole number/);
});

test('the buffer is bounded by bytes too: big lines push the oldest out, and the count of bytes follows', async () => {
  const sink = new FakeSink();
  sink.down = true;
  const warnings: string[] = [];
  // Room for about three lines of 10,000 characters (20,000 bytes each, as JavaScript holds them).
  const shipper = new LogShipper(sink, { capacity: 1_000, capacityBytes: 70_000, flushIntervalMs: 0, retryMaxMs: 100, warn: (m) => warnings.push(m) });
  const big = (i: number): LogRecord => ({ ...rec(i), message: `${i}`.padEnd(10_000, '.') });
  for (let i = 0; i < 10; i++) shipper.push(big(i));
  assert.ok(shipper.stats.pending <= 3, `pending ${shipper.stats.pending}`);
  assert.ok(shipper.pendingBytes <= 70_000, `pendingBytes ${shipper.pendingBytes}`);
  assert.equal(shipper.stats.dropped + shipper.stats.pending, 10);
  assert.ok(warnings.some((w) => /buffer of 70000 bytes is full/.test(w)), warnings.join('\n'));
  sink.down = false;
  await shipper.flush();
  assert.deepEqual(sink.messages().filter((m) => !/dropped/.test(m)).map((m) => m.slice(0, 1)), ['7', '8', '9']);
  assert.equal(shipper.pendingBytes, 0);
  await shipper.close();
});

const report = (done: number, activityId = '1', attempt = 1): ProgressRecord => ({
  time: 1_000 + done, workflowId: 'wf-1', runId: 'run-1', task: 't', activityId, attempt, done, total: 100, message: `${done} of 100`,
});

/** A sink keeping each write's lines and progress apart. */
class ProgressSink {
  writes: { lines: string[]; progress: [string, number][] }[] = [];
  down = false;
  async insertLogs(records: LogRecord[], progress: ProgressRecord[] = []) {
    await sleep(1);
    if (this.down) throw new Error('connect ECONNREFUSED');
    this.writes.push({ lines: records.map((r) => r.message), progress: progress.map((p) => [p.activityId, p.done]) });
  }
}

test("progress keeps each task's latest report, goes with the next batch, and never takes a line's place", async () => {
  const sink = new ProgressSink();
  const shipper = new LogShipper(sink, { capacity: 10, flushIntervalMs: 10_000 });
  shipper.push(rec(1));
  for (let i = 1; i <= 100_000; i++) shipper.progress(report(i % 100));
  shipper.progress(report(7, '2'));
  assert.equal(shipper.stats.pending, 1, 'reports are not lines: the buffer holds the one line');
  await shipper.flush();
  assert.deepEqual(sink.writes, [{ lines: ['m1'], progress: [['1', 0], ['2', 7]] }]);
  shipper.progress(report(8, '2'));
  await shipper.flush(); // waits for a report alone too
  assert.deepEqual(sink.writes.at(-1), { lines: [], progress: [['2', 8]] });
  assert.deepEqual(await shipper.close(), { written: 1, dropped: 0, pending: 0 });
});

test('a lone report is written after flushIntervalMs, as a line is', async () => {
  const sink = new ProgressSink();
  const shipper = new LogShipper(sink, { flushIntervalMs: 20 });
  shipper.progress(report(3));
  await waitFor('the report written', () => sink.writes.length === 1);
  assert.deepEqual(sink.writes[0].progress, [['1', 3]]);
  await shipper.close();
});

test('while the store fails, reports wait; a newer report of the same task replaces the one being retried', async () => {
  const sink = new ProgressSink();
  sink.down = true;
  const shipper = new LogShipper(sink, { flushIntervalMs: 5, retryMaxMs: 20, warn: () => {} });
  shipper.progress(report(1));
  shipper.progress(report(5, '2'));
  await waitFor('a failed write', () => shipper.stats.failing);
  shipper.progress(report(2));
  sink.down = false;
  await shipper.flush();
  const written = sink.writes.flatMap((w) => w.progress);
  assert.deepEqual(new Map(written), new Map([['1', 2], ['2', 5]]));
  assert.deepEqual(written.filter(([id]) => id === '1'), [['1', 2]], 'the stale report is not written after the newer one');
  await shipper.close();
});

test('progress never throws, whatever it is given, and is ignored after close', async () => {
  const sink = new ProgressSink();
  const shipper = new LogShipper(sink, { flushIntervalMs: 5 });
  for (const bad of [null, undefined, 42, 'x'] as unknown as ProgressRecord[]) shipper.progress(bad);
  await shipper.close();
  shipper.progress(report(1));
  await sleep(20);
  assert.deepEqual(sink.writes, []);
});
