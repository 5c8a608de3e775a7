// Changing a flow while its runs are in flight, on a real worker and Temporal server: a starting worker replays its
// queue's open runs on its new code and says which it cannot carry (its log, the store the pages read); a fix
// with patched() clears that; `sluice history export` writes the run's history and `sluice check --replay`
// fails on the incompatible code and passes on the patched one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { RunRef, SluiceClient } from 'sluice/client';
import { SLUICE_BIN } from 'sluice/internal/dev';
import type { Store } from 'sluice/internal/store';
import { freshTmpDir, temporalAddress, temporalNamespace } from '../harness/env';
import { eventually } from '../harness/eventually';
import { FIXTURES, sqliteStoreUrl, testClient } from '../harness/sluice';
import { uniqueName } from '../harness/temporal';
import { startWorker, waitForOutput, type TestWorker } from '../harness/worker';

const version = (v: number) => ({ workflows: path.resolve(__dirname, `../fixtures/replay/meter-v${v}.ts`), activities: FIXTURES.activities });
const taskQueue = uniqueName('replay');
const storeUrl = sqliteStoreUrl('replay');
let client: SluiceClient;
let store: Store;
let close: () => Promise<void>;
let run: RunRef;
const workers: TestWorker[] = [];

async function worker(v: number): Promise<TestWorker> {
  const w = await startWorker({ taskQueue, storeUrl, ...version(v) });
  workers.push(w);
  return w;
}

const sluice = (args: string[], workflows = version(1).workflows) =>
  spawnSync(process.execPath, [SLUICE_BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TEMPORAL_ADDRESS: temporalAddress(), TEMPORAL_NAMESPACE: temporalNamespace(), SLUICE_TASK_QUEUE: taskQueue, SLUICE_WORKFLOWS: workflows, SLUICE_ACTIVITIES: FIXTURES.activities },
  });

before(async () => {
  ({ client, store, close } = await testClient(storeUrl));
  const v1 = await worker(1);
  run = await client.start('meterReadings', {});
  // In flight: its first task done, waiting on its timer.
  await eventually(async () => (await client.temporal.workflow.getHandle(run.workflowId, run.runId).fetchHistory()).events?.some((e) => e.timerStartedEventAttributes), 30_000, 'the run to wait on its timer');
  // Its own code carries it (whether its check ran before or after the run started).
  await waitForOutput(v1, /replay: [01] open run\(s\) of task queue .* checked on this code, 0 cannot continue/);
  await v1.stop();
});
after(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await client?.temporal.workflow.getHandle(run.workflowId, run.runId).terminate('test over').catch(() => {});
  await close?.();
});

test('a worker whose code cannot replay an open run says so in its log and to the store, and serves all the same', async () => {
  const v2 = await worker(2);
  await waitForOutput(v2, /replay: 1 open run\(s\) of task queue .* checked on this code, 1 cannot continue/);
  assert.match(v2.output(), new RegExp(`replay: run ${run.workflowId} / ${run.runId} \\(flow meterReadings\\) cannot continue on this code: .*[Nn]ondeterminism.* — guard the change with patched\\(\\)`));
  const [finding, ...others] = await store.replayFindings({ runId: run.runId });
  assert.equal(others.length, 0);
  assert.deepEqual({ ...finding, foundAt: 0, worker: '' }, { taskQueue, workflowId: run.workflowId, runId: run.runId, flow: 'meterReadings', reason: finding!.reason, foundAt: 0, worker: '' });
  assert.match(finding!.reason, /[Nn]ondeterminism/);
  assert.match(finding!.worker, /@/);
  // New runs still start and take the new path.
  const fresh = await client.start('meterReadings', {});
  await eventually(async () => (await client.temporal.workflow.getHandle(fresh.workflowId).fetchHistory()).events?.filter((e) => e.activityTaskCompletedEventAttributes).length === 2, 30_000, 'the new run to run both tasks');
  await client.temporal.workflow.getHandle(fresh.workflowId).terminate('test over');
  await v2.stop();
});

test('the same change guarded by patched() carries the run, and the next start clears the finding', async () => {
  const v3 = await worker(3);
  await waitForOutput(v3, /replay: \d+ open run\(s\) of task queue .* checked on this code, 0 cannot continue/);
  assert.deepEqual(await store.replayFindings({ runId: run.runId }), []);
  await v3.stop();
});

test('sluice history export writes the open run\'s history; sluice check --replay fails on v2 and passes on v3', () => {
  const dir = freshTmpDir('replay-histories');
  const exported = sluice(['history', 'export', '--out', dir]);
  assert.equal(exported.status, 0, exported.stderr);
  assert.deepEqual(readdirSync(dir), [`meterReadings-${run.runId}.json`]);
  assert.match(exported.stdout, /1 history\(ies\) of running runs of task queue .* written to/);

  const incompatible = sluice(['check', '--replay', dir], version(2).workflows);
  assert.equal(incompatible.status, 1, incompatible.stdout + incompatible.stderr);
  assert.match(incompatible.stderr, new RegExp(`meterReadings-${run.runId}\\.json: the run of flow meterReadings does not replay on this code: .*[Nn]ondeterminism`));
  const patched = sluice(['check', '--replay', dir], version(3).workflows);
  assert.equal(patched.status, 0, patched.stdout + patched.stderr);
  assert.match(patched.stdout, /1 history\(ies\) in .* replay on this code/);
});
