/**
 * A flow's fan-out starts on its worker in the reply to the flow's step (eager), up to SLUICE_EAGER_TASKS tasks,
 * instead of each going through the task queue. Counted by Temporal itself: its `activity_eager_execution`
 * metric, on a dev server of this file's own (so no other test's runs are in the count).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { SluiceClient } from 'sluice/client';
import { freePort, startDevServer, type DevServer } from 'sluice/internal/dev';
import { openStore, type Store } from 'sluice/internal/store';
import { eventually } from '../harness/eventually';
import { freshTmpDir } from '../harness/env';
import { FIXTURES } from '../harness/sluice';
import { startWorker } from '../harness/worker';

const TASK_QUEUE = 'eager-fan-out';
const FAN_OUT = 20;
let server: DevServer;
let metricsUrl: string;
let storeUrl: string;
let store: Store;
let client: SluiceClient;

before(async () => {
  const metricsPort = await freePort();
  const dir = freshTmpDir('eager');
  server = await startDevServer({ dbFile: path.join(dir, 'temporal.db'), metricsPort });
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  storeUrl = `sqlite:${path.join(dir, 'sluice.db')}`;
  store = await openStore(storeUrl, { migrate: true });
  client = await SluiceClient.connect({ address: server.address, namespace: server.namespace, store });
});

after(async () => {
  await client?.close();
  await store?.close();
  await server?.stop();
});

/** Tasks Temporal has started eagerly so far, summed over its counter's samples. */
async function eagerStarts(): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  return [...text.matchAll(/^activity_eager_execution(?:_total)?(?:\{[^}]*\})? (\S+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/** Runs a fan-out of FAN_OUT tasks on a worker with `env`, and returns how many of them started eagerly. */
async function fanOut(env: Record<string, string>): Promise<number> {
  const worker = await startWorker({ taskQueue: TASK_QUEUE, storeUrl, ...FIXTURES, env: { TEMPORAL_ADDRESS: server.address, ...env } });
  try {
    const before = await eagerStarts();
    const ref = await client.start('fanOutFlow', { n: FAN_OUT });
    assert.equal(await client.waitForResult(ref), FAN_OUT);
    // The server may publish its counters a moment after the run ended.
    const atLeast = env.SLUICE_EAGER_TASKS ? Number(env.SLUICE_EAGER_TASKS) : FAN_OUT;
    await eventually(async () => (await eagerStarts()) - before >= atLeast, 15_000, `${atLeast} eager starts`);
    return (await eagerStarts()) - before;
  } finally {
    await worker.stop();
  }
}

test('by default, all tasks of a fan-out start in the reply to the step that scheduled them', async () => {
  assert.equal(await fanOut({}), FAN_OUT);
});

test('SLUICE_EAGER_TASKS caps how many do; the rest go through the task queue', async () => {
  assert.equal(await fanOut({ SLUICE_EAGER_TASKS: '3' }), 3);
});
