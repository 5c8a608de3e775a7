// Durability on a real worker process: kill -9 in the middle of a flow, start again — the flow completes and
// the tasks that had completed do not run again. SIGTERM lets a running task finish and flushes its logs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SluiceClient } from 'sluice/client';
import type { Store } from 'sluice/internal/store';
import { freshTmpDir } from '../harness/env';
import { eventually } from '../harness/eventually';
import { FIXTURES, sqliteStoreUrl, testClient } from '../harness/sluice';
import { uniqueName } from '../harness/temporal';
import { startWorker } from '../harness/worker';

const storeUrl = sqliteStoreUrl('durability');
// One task queue for the file: its workers serve the same flows in one store, and a worker on another queue
// would be refused while the last one's queue still looks live.
const taskQueue = uniqueName('durable');
let client: SluiceClient;
let store: Store;
let close: () => Promise<void>;
before(async () => ({ client, store, close } = await testClient(storeUrl)));
after(async () => close?.());

const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n');

describe('a worker killed with -9 in the middle of a flow', () => {
  it('lets the flow complete on the next worker without running completed tasks again', async () => {
    const file = path.join(freshTmpDir('durable'), 'executions.txt');
    const first = await startWorker({ taskQueue, storeUrl, ...FIXTURES });
    const ref = await client.start('durableFlow', { file, stepMs: 5000 });
    await eventually(() => { try { return lines(file).includes('two'); } catch { return false; } }, 20_000, 'step two to start');
    await first.kill9();

    const second = await startWorker({ taskQueue, storeUrl, ...FIXTURES });
    try {
      assert.deepEqual(await client.waitForResult(ref), ['one', 'two', 'three']);
      const executions = lines(file);
      assert.equal(executions.filter((l) => l === 'one').length, 1, `step one ran again: ${executions}`);
      assert.equal(executions.filter((l) => l === 'three').length, 1);
      const run = (await client.getRun(ref.workflowId))!;
      assert.equal(run.tasks.length, 3);
      assert.ok(run.tasks[1]!.attempts >= 2, 'the interrupted step was retried on the new worker');
    } finally {
      assert.equal(await second.stop(), 0);
    }
  });
});

describe('SIGTERM', () => {
  it('stops polling, lets the running task finish, flushes its logs and exits 0', async () => {
    const worker = await startWorker({ taskQueue, storeUrl, ...FIXTURES, env: { SLUICE_SHUTDOWN_GRACE: '20s' } });
    const ref = await client.start('slowFlow', { ms: 3000 });
    await eventually(async () => (await store.readLogs({ runId: ref.runId, search: 'slow step started' })).length > 0, 20_000, 'the task to start');
    const code = await worker.stop();
    assert.equal(code, 0, worker.output());
    const finished = await store.readLogs({ runId: ref.runId, search: 'slow step finished' });
    assert.equal(finished.length, 1, 'the task finished and its last line was flushed before exit');
    const run = (await client.getRun(ref.workflowId))!;
    assert.equal(run.tasks[0]!.status, 'completed');
    await client.cancelRun(ref);
  });
});
