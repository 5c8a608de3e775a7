// Many writers at once against a tailing reader: whatever order their batches commit in, the tail ends up with
// exactly the table's lines, each once, in id order. On both stores (one code path).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openStore, type LogRecord, type Store } from 'sluice/internal/store';
import { DIALECTS, freshStoreUrl } from './helpers/stores';
import { LogTail, tableIds, tableMessages } from './helpers/log-tail';

const WRITERS = 6;
const BATCHES = 20;
const RUNS = ['run-1', 'run-2', 'run-3', 'run-4'];

/** A small seeded generator (mulberry32): batch sizes and runs vary, the same way on every run of the test. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

for (const dialect of DIALECTS) {
  describe(`log ordering with ${WRITERS} writers on ${dialect}`, () => {
    test(`${WRITERS} writers × ${BATCHES} batches against a tailing reader: the tail equals the table`, async (t) => {
      const fresh = await freshStoreUrl(dialect, 'order-many');
      const stores: Store[] = [];
      t.after(async () => {
        for (const s of stores) await s.close();
        await fresh.cleanup();
      });
      // PostgreSQL: each writer its own pool, as separate workers and web replicas are. SQLite: one store shared
      // by every writer, as a process serves it (one writer at a time); the reader has its own connection.
      const pools = dialect === 'postgres' ? WRITERS : 1;
      for (let i = 0; i <= pools; i++) stores.push(await openStore(fresh.url, { migrate: i === 0 }));
      const [reader, ...pool] = stores as [Store, ...Store[]];
      const writers = Array.from({ length: WRITERS }, (_, w) => pool[w % pool.length]!);
      const tail = new LogTail(reader, RUNS);

      let writing = true;
      let linesWritten = 0;
      const written = writers.map(async (store, w) => {
        const next = random(w + 1);
        for (let b = 0; b < BATCHES; b++) {
          const size = 1 + Math.floor(next() * 300);
          const batch: LogRecord[] = [];
          for (let i = 0; i < size; i++) {
            const runId = RUNS[Math.floor(next() * RUNS.length)]!;
            batch.push({ time: Date.now(), level: 'info', message: `w${w} b${b} l${i}`, workflowId: `wf-${runId}`, runId });
          }
          await store.insertLogs(batch);
          linesWritten += size;
        }
      });
      const done = Promise.all(written).finally(() => (writing = false));
      while (writing) await tail.poll();
      await done;
      await tail.poll();

      let total = 0;
      for (const runId of RUNS) {
        const ids = tail.ids(runId);
        assert.deepEqual(ids, await tableIds(reader, runId), `${runId}: the tail's ids are the table's, in order, each once`);
        assert.deepEqual(tail.messages(runId), await tableMessages(reader, runId));
        total += ids.length;
      }
      assert.equal(total, linesWritten, 'every line written is in some tail');
    });
  });
}
