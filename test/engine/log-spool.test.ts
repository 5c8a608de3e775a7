// No log line of a completed task is lost, whatever kills the worker: runs of sequential tasks that log 50 lines
// just before they return, while the worker is killed with -9 at random moments and started again. At the end
// every line of the attempt that completed each task is in the store exactly once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SluiceClient } from 'sluice/client';
import type { Store } from 'sluice/internal/store';
import { sqliteStoreUrl, testClient } from '../harness/sluice';
import { uniqueName } from '../harness/temporal';
import { startWorker, type TestWorker } from '../harness/worker';
import { finishAndCheck, spoolFixtures, spoolWorkerEnv } from './log-spool-check';

const storeUrl = sqliteStoreUrl('log-spool');
const taskQueue = uniqueName('spool');
let client: SluiceClient;
let store: Store;
let close: () => Promise<void>;
let env: Record<string, string>;

before(async () => {
  ({ client, store, close } = await testClient(storeUrl));
  env = spoolWorkerEnv();
});
after(async () => close?.());

const start = () => startWorker({ taskQueue, storeUrl, ...spoolFixtures, env });

describe('a worker killed with -9 at random moments while tasks log', () => {
  it('loses no line of a completed task: all are in the store once the runs are done', async () => {
    const RUNS = 6;
    const STEPS = 15;
    const LINES = 50;
    let worker: TestWorker = await start();
    const refs = await Promise.all(
      Array.from({ length: RUNS }, () => client.start('spoolFlow', { steps: STEPS, lines: LINES, workMs: 150 })),
    );
    for (let kill = 0; kill < 8; kill++) {
      // The kill moment is the test's input, drawn at random as the issue measured it, not a wait for something.
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 2_000));
      await worker.kill9();
      worker = await start();
    }
    const results = await finishAndCheck(client, store, worker, refs, LINES);
    const retried = results.flat().filter((attempt) => attempt > 1).length;
    process.stderr.write(`log-spool: ${retried} of ${RUNS * STEPS} tasks completed on a later attempt (their worker was killed)\n`);
  });
});

describe('a task that logs more lines than the spool appends at once', () => {
  it('has them all on disk when it completes: killed with -9 right after, the next worker sends every one, in order', async () => {
    // Over 5,000 lines wait at the task's end: the spool appends them in slices, the store writing the first meanwhile.
    const LINES = 12_000;
    let worker = await start();
    const ref = await client.start('spoolFlow', { steps: 1, lines: LINES, workMs: 0 });
    await client.waitForResult(ref);
    await worker.kill9();
    worker = await start();
    const [attempts] = await finishAndCheck(client, store, worker, [ref], LINES);
    const steps = await store.db.selectFrom('logs').select('message').where('run_id', '=', ref.runId).where('attempt', '=', attempts![0]!).orderBy('id').execute();
    assert.deepEqual(
      steps.map((r) => r.message),
      Array.from({ length: LINES }, (_, i) => `step 0 line ${i}`),
    );
  });
});
