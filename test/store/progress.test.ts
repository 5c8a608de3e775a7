// Tasks' progress in the store (written with the log lines, the latest report of each task of a run kept):
// the same test body on SQLite and on PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStore, StoreQueryError, type ProgressRecord, type Store } from 'sluice/internal/store';
import { DIALECTS, freshStoreUrl, type FreshStoreUrl } from './helpers/stores';

const report = (runId: string, activityId: string, attempt: number, time: number, done: number, message?: string): ProgressRecord => ({
  time, workflowId: `wf-${runId}`, runId, task: 'simulate', activityId, attempt, done, total: 60, ...(message ? { message } : {}),
});
const seen = (records: ProgressRecord[]) => records.map((r) => [r.activityId, r.attempt, r.done, r.message ?? null, r.time]);

for (const dialect of DIALECTS) {
  describe(`task progress on ${dialect}`, () => {
    let fresh: FreshStoreUrl;
    let store: Store;
    before(async () => {
      fresh = await freshStoreUrl(dialect, 'progress');
      store = await openStore(fresh.url, { migrate: true });
    });
    after(async () => {
      await store?.close();
      await fresh?.cleanup();
    });

    test('keeps the latest report of each task; a late or earlier-attempt report never moves it back', async () => {
      await store.insertLogs([], [report('r1', '1', 1, 1000, 12, 'step 12 of 60'), report('r1', '2', 1, 1000, 3), report('r2', '1', 1, 1000, 40)]);
      await store.insertLogs([{ time: 1200, level: 'info', message: 'step 13', workflowId: 'wf-r1', runId: 'r1' }], [report('r1', '1', 1, 1200, 13, 'step 13 of 60')]);
      await store.insertLogs([], [report('r1', '1', 1, 1100, 99)]); // late, same attempt
      await store.insertLogs([], [report('r1', '2', 2, 900, 1)]); // a retry, whatever its clock says
      await store.insertLogs([], [report('r1', '2', 1, 5000, 50)]); // the earlier attempt, late
      assert.deepEqual(seen(await store.readProgress('r1')), [['1', 1, 13, 'step 13 of 60', 1200], ['2', 2, 1, null, 900]]);
      assert.deepEqual(seen(await store.readProgress('r1', ['2', 'nope'])), [['2', 2, 1, null, 900]]);
      assert.deepEqual(await store.readProgress('r1', []), []);
      assert.deepEqual(seen(await store.readProgress('r2')), [['1', 1, 40, null, 1000]], 'runs are apart');
      assert.equal(await store.countLogs('r1'), 1, 'the line of the same batch is written');
    });

    test('one batch holding several reports of a task writes the newest; a report that is no progress is left out, the lines kept', async () => {
      const notANumber = { ...report('r3', '2', 1, 1, 0), done: 'many' } as unknown as ProgressRecord;
      await store.insertLogs(
        [{ time: 1, level: 'info', message: 'kept', workflowId: 'wf-r3', runId: 'r3' }],
        [report('r3', '1', 1, 10, 5), report('r3', '1', 1, 30, 7), report('r3', '1', 1, 20, 6), notANumber, { ...report('r3', '3', 1, 1, 0), total: Number.NaN }],
      );
      assert.deepEqual(seen(await store.readProgress('r3')), [['1', 1, 7, null, 30]]);
      assert.equal(await store.countLogs('r3'), 1);
    });

    test('fractions survive; a bad query is refused by name', async () => {
      await store.insertLogs([], [{ ...report('r4', '1', 1, 1, 0.25), total: 1 }]);
      assert.deepEqual((await store.readProgress('r4')).map((r) => [r.done, r.total]), [[0.25, 1]]);
      await assert.rejects(store.readProgress(''), (e) => e instanceof StoreQueryError && /readProgress needs a runId/.test(e.message));
      await assert.rejects(store.readProgress('r4', Array.from({ length: 5001 }, (_, i) => String(i))), /at most 5000 activity ids/);
    });

    test('retention deletes progress older than the cutoff with the log lines', async () => {
      await store.insertLogs([], [report('r5', '1', 1, 100, 1), report('r5', '2', 1, 10_000, 2)]);
      const { deleted } = await store.retention.sweep({ olderThan: 5_000, runsKept: async () => new Set(), pauseMs: 0 });
      assert.ok(deleted.task_progress >= 1, JSON.stringify(deleted));
      assert.deepEqual(seen(await store.readProgress('r5')), [['2', 1, 2, null, 10_000]]);
    });
  });
}
