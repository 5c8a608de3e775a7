// How fast lines go from push() to the database: 100,000 lines through LogShipper into SQLite and into
// PostgreSQL. Numbers are reported (t.diagnostic), not asserted: the machine is shared. Target: well under
// 5 s per 100,000 lines, i.e. >= 20,000 lines/s end to end.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LogShipper, openStore, type LogRecord } from 'sluice/internal/store';
import { DIALECTS, freshStoreUrl } from './helpers/stores';

const LINES = 100_000;

for (const dialect of DIALECTS) {
  describe(`throughput on ${dialect}`, () => {
    test(`${LINES} lines through LogShipper`, async (t) => {
      const fresh = await freshStoreUrl(dialect, 'throughput');
      t.after(() => fresh.cleanup());
      const store = await openStore(fresh.url, { migrate: true });
      t.after(() => store.close());
      // Prepared up front so the numbers measure the shipper and the store, not building test records.
      const records: LogRecord[] = Array.from({ length: LINES }, (_, i) => ({
        time: 1_700_000_000_000 + i,
        level: i % 10 === 0 ? 'warn' : 'info',
        message: `processed chunk ${i} of station BER (rows=${i * 3})`,
        fields: { chunk: i, station: 'BER', rows: i * 3 },
        workflowId: 'wf-throughput',
        runId: `run-${i % 4}`,
        flow: 'rainfall',
        task: 'transform',
        activityId: String(i % 4),
        attempt: 1,
      }));
      const shipper = new LogShipper(store);

      const started = performance.now();
      for (const r of records) shipper.push(r);
      const pushedMs = performance.now() - started;
      await shipper.flush();
      const totalMs = performance.now() - started;

      const { written, dropped } = await shipper.close();
      assert.deepEqual({ written, dropped }, { written: LINES, dropped: 0 });
      let stored = 0;
      for (let run = 0; run < 4; run++) stored += await store.countLogs(`run-${run}`);
      assert.equal(stored, LINES);
      const report =
        `${dialect}: ${LINES} lines in ${totalMs.toFixed(0)} ms = ${Math.round(LINES / (totalMs / 1000))} lines/s end to end; ` +
        `push() ${((pushedMs * 1000) / LINES).toFixed(2)} µs/line`;
      t.diagnostic(report);
      console.log(report);
    });
  });
}
