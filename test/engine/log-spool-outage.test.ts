// The log store unreachable while tasks log: PostgreSQL is stopped (a real outage), the worker is killed with -9,
// the store comes back and the next worker sends the dead one's lines; then a second outage and a SIGTERM: the
// worker's last message says the lines wait in the spool, and the next start sends them. At the end every line of
// every completed task is in the store exactly once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunRef, SluiceClient } from 'sluice/client';
import type { Store } from 'sluice/internal/store';
import { eventually } from '../harness/eventually';
import { testClient } from '../harness/sluice';
import { uniqueName } from '../harness/temporal';
import { startWorker, waitForOutput, type TestWorker } from '../harness/worker';
import { startRestartablePostgres, type RestartablePostgres } from '../store/helpers/restartable-postgres';
import { finishAndCheck, spoolFixtures, spoolWorkerEnv } from './log-spool-check';

const taskQueue = uniqueName('spool-outage');
let pg: RestartablePostgres;
let client: SluiceClient;
let store: Store;
let close: () => Promise<void>;
let env: Record<string, string>;

before(async () => {
  pg = await startRestartablePostgres();
  ({ client, store, close } = await testClient(pg.url));
  env = spoolWorkerEnv();
});
after(async () => {
  await close?.();
  await pg?.destroy();
});

const start = () => startWorker({ taskQueue, storeUrl: pg.url, ...spoolFixtures, env });

/** Tasks Temporal has recorded completed, over all runs (read from Temporal, not the store). */
async function completedTasks(refs: RunRef[]): Promise<number> {
  let n = 0;
  for (const ref of refs) n += (await client.getRun(ref.workflowId))!.tasks.filter((t) => t.status === 'completed').length;
  return n;
}

/** Waits until the worker prints `pattern` after what it printed so far. */
function outputFromNow(worker: TestWorker) {
  const mark = worker.output().length;
  return (pattern: RegExp, timeoutMs?: number) => waitForOutput({ process: worker.process, output: () => worker.output().slice(mark) }, pattern, timeoutMs);
}

async function outageWhileTasksComplete(worker: TestWorker, refs: RunRef[]): Promise<void> {
  const told = outputFromNow(worker);
  await pg.stop();
  await told(/cannot write to the log store/);
  const before = await completedTasks(refs);
  await eventually(async () => (await completedTasks(refs)) >= before + 6, 90_000, 'six tasks completing while the store is down');
}

describe('the log store unreachable while tasks log', () => {
  it('keeps every line of a completed task through kill -9 and SIGTERM, and sends it once the store is back', async () => {
    const LINES = 50;
    let worker = await start();
    const refs = await Promise.all(Array.from({ length: 4 }, () => client.start('spoolFlow', { steps: 12, lines: LINES, workMs: 300 })));
    await eventually(async () => (await store.countLogs(refs[0]!.runId)) > 0, 60_000, 'lines reaching the store');

    await outageWhileTasksComplete(worker, refs);
    await worker.kill9();
    await pg.start();
    worker = await start();

    await outageWhileTasksComplete(worker, refs);
    assert.equal(await worker.stop(), 0, worker.output());
    assert.match(worker.output(), /worker stopped: .*; [1-9]\d* log lines \(\d+ KiB\) not yet in the store are kept in the spool \S+ and sent by the next worker of task queue/);
    await pg.start();
    worker = await start();

    await finishAndCheck(client, store, worker, refs, LINES);
  });
});
