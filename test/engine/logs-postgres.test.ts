// The same worker writing its logs to PostgreSQL (DATABASE_URL): one code path, the same records.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { SluiceClient } from 'sluice/client';
import type { Store } from 'sluice/internal/store';
import { eventually } from '../harness/eventually';
import { createTestDatabase, type TestDatabase } from '../harness/postgres';
import { FIXTURES, testClient } from '../harness/sluice';
import { uniqueName } from '../harness/temporal';
import { startWorker, type TestWorker } from '../harness/worker';

let db: TestDatabase;
let worker: TestWorker;
let client: SluiceClient;
let store: Store;
let close: () => Promise<void>;

before(async () => {
  db = await createTestDatabase('worker_logs');
  worker = await startWorker({ taskQueue: uniqueName('pg'), storeUrl: db.url, ...FIXTURES });
  ({ client, store, close } = await testClient(db.url));
});
after(async () => {
  await close?.();
  await worker?.stop();
  await db?.drop();
});

it('lands flow and task log lines in PostgreSQL with the run, task and attempt', async () => {
  assert.equal(store.dialect, 'postgres');
  const ref = await client.start('chattyFlow', { n: 3 });
  await client.waitForResult(ref);
  const logs = await eventually(async () => {
    const rows = await store.readLogs({ runId: ref.runId });
    return rows.length >= 5 && rows;
  }, 15_000, 'five log lines');
  const task = logs.find((l) => l.message === 'task line')!;
  assert.equal(task.workflowId, ref.workflowId);
  assert.equal(task.task, 'chatty');
  assert.equal(task.attempt, 1);
  assert.deepEqual(task.fields, { n: 3 });
  assert.equal(logs.find((l) => l.message === 'printed line 3')?.task, 'chatty');
  assert.equal(logs.find((l) => l.message === 'flow line')?.task, null);
});
