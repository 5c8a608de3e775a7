// Flows that fail in their own code, on a real worker and Temporal server: a thrown error fails the run with
// its type and message; a run stuck on its workflow task (a non-determinism error, an unknown flow) shows
// why on its page and is marked in the runs list; run timeouts bound every run; flow log fields are kept as
// logged; and a worker refuses parameter schemas the client could not check faithfully.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { SLUICE_BIN } from 'sluice/internal/dev';
import { after, before, describe, it } from 'node:test';
import { RunFailedError, type SluiceClient } from 'sluice/client';
import type { Store } from 'sluice/internal/store';
import { eventually } from '../harness/eventually';
import { FIXTURES, sqliteStoreUrl, testClient } from '../harness/sluice';
import { uniqueName } from '../harness/temporal';
import { spawnWorker, startWorker, type TestWorker } from '../harness/worker';

const FAILING = { workflows: path.resolve(__dirname, '../fixtures/failing-flows.ts'), activities: FIXTURES.activities };
const FAILING_V2 = { workflows: path.resolve(__dirname, '../fixtures/failing-flows-v2.ts'), activities: FIXTURES.activities };

let worker: TestWorker;
let client: SluiceClient;
let store: Store;
let close: () => Promise<void>;
const taskQueue = uniqueName('failures');
const storeUrl = sqliteStoreUrl('failures');

before(async () => {
  worker = await startWorker({ taskQueue, storeUrl, ...FAILING });
  ({ client, store, close } = await testClient(storeUrl));
});
after(async () => {
  await close?.();
  await worker?.stop();
});

async function failedRun(flow: string, parameters: unknown = {}) {
  const ref = await client.start(flow, parameters);
  await assert.rejects(client.waitForResult(ref), RunFailedError);
  return (await client.getRun(ref.workflowId, ref.runId))!;
}

describe('a flow that throws', () => {
  it('fails its run with the error type and message, the stack behind them', async () => {
    const run = await failedRun('throwingFlow', { station: 'Twenthe' });
    assert.equal(run.status, 'failed');
    assert.equal(run.failure!.message, 'no data for station Twenthe');
    assert.equal(run.failure!.type, 'Error');
    // The line of the throw, through the bundle's source map.
    assert.match(run.failure!.stack!, /failing-flows\.ts:10:\d+/);
    assert.equal(run.stuckOn, null);
  });

  it('keeps the class of a TypeError or of its own error class', async () => {
    const typeError = await failedRun('typeErrorFlow');
    assert.equal(typeError.failure!.type, 'TypeError');
    assert.match(typeError.failure!.message, /length/);
    const custom = await failedRun('customErrorFlow');
    assert.equal(custom.failure!.type, 'NoDataError');
    assert.equal(custom.failure!.message, 'station closed');
  });

  it('ends a run that outlives its runTimeout as timed out', async () => {
    const ref = await client.start('sleepyFlow', {});
    const description = await client.temporal.workflow.getHandle(ref.workflowId).describe();
    assert.equal(Number(description.raw.executionConfig?.workflowExecutionTimeout?.seconds), 3);
    await assert.rejects(client.waitForResult(ref), RunFailedError);
    const run = (await client.getRun(ref.workflowId, ref.runId))!;
    assert.equal(run.status, 'timed_out');
  });

  it('gets the default run timeout of 24 hours when it declares none', async () => {
    const ref = await client.start('typeErrorFlow', {});
    const description = await client.temporal.workflow.getHandle(ref.workflowId).describe();
    assert.equal(Number(description.raw.executionConfig?.workflowExecutionTimeout?.seconds), 24 * 3600);
    await assert.rejects(client.waitForResult(ref));
  });
});

describe('a run stuck on its workflow task', () => {
  it('shows the failure on its page and is marked in the runs list (a flow its worker does not have)', async () => {
    // In the catalog but not in the worker's bundle: Temporal retries its workflow task forever.
    const ghost = uniqueName('ghostFlow');
    const served = (await store.listFlows()).filter((f) => f.taskQueue === taskQueue);
    await store.publishFlows(taskQueue, [...served, { name: ghost, taskQueue, description: null, parametersSchema: { type: 'object' }, deployments: [], updatedAt: Date.now() }]);
    const ref = await client.start(ghost, {});
    const run = await eventually(async () => {
      const r = await client.getRun(ref.workflowId, ref.runId);
      return r?.stuckOn?.failure ? r : undefined;
    }, 30_000, 'the stuck run on its page');
    assert.equal(run.status, 'running');
    assert.equal(run.stuck, true);
    assert.equal(run.stuckOn!.kind, 'error');
    assert.match(run.stuckOn!.explanation, /fails each time/);
    assert.match(run.stuckOn!.failure!.message, new RegExp(ghost));
    const listed = await eventually(async () => {
      const page = await client.listRuns({ flow: ghost });
      return page.runs[0]?.stuck ? page.runs[0] : undefined;
    }, 30_000, 'the stuck mark in the runs list');
    assert.equal(listed.workflowId, ref.workflowId);
    await client.cancelRun(ref).catch(() => {});
    await client.temporal.workflow.getHandle(ref.workflowId).terminate('test done');
  });

  it('stays open, waiting for a fix, when changed flow code no longer replays its history', async () => {
    const queue = uniqueName('replay');
    const url = sqliteStoreUrl('replay');
    const v1 = await startWorker({ taskQueue: queue, storeUrl: url, ...FAILING });
    let v2: TestWorker | undefined;
    const { client: c, close: closeClient } = await testClient(url);
    try {
      const ref = await c.start('replayFlow', {});
      await eventually(async () => {
        const h = await c.temporal.workflow.getHandle(ref.workflowId).fetchHistory();
        return h.events?.some((e) => e.timerStartedEventAttributes);
      }, 15_000, 'the timer of version 1');
      await v1.kill9(); // its cached run is gone: version 2 must replay the history
      v2 = await startWorker({ taskQueue: queue, storeUrl: url, ...FAILING_V2 });
      const run = await eventually(async () => {
        const r = await c.getRun(ref.workflowId, ref.runId);
        return r?.stuckOn ? r : undefined;
      }, 60_000, 'the non-determinism on the run page');
      assert.equal(run.status, 'running');
      assert.equal(run.stuckOn!.kind, 'nondeterminism');
      assert.match(run.stuckOn!.explanation, /waiting for a fix/);
      assert.match(run.stuckOn!.explanation, /no longer replays/);
      await c.temporal.workflow.getHandle(ref.workflowId).terminate('test done');
    } finally {
      await closeClient();
      await v2?.stop();
      await v1.stop();
    }
  });
});

describe('flow log lines', () => {
  it('keep fields as they were when logged, and never let them replace the run identity', async () => {
    const ref = await client.start('loggingFlow', {});
    assert.equal(await client.waitForResult(ref), 2);
    const lines = await eventually(async () => {
      const rows = await store.readLogs({ runId: ref.runId });
      return rows.some((l) => l.message === 'identity') && rows.some((l) => l.message === 'counted') ? rows : undefined;
    }, 15_000, 'the flow lines');
    const counted = lines.find((l) => l.message === 'counted')!;
    assert.deepEqual(counted.fields, { rows: 1, nested: { rows: 1 } });
    const identity = lines.find((l) => l.message === 'identity')!;
    assert.equal(identity.runId, ref.runId);
    assert.equal(identity.workflowId, ref.workflowId);
    assert.equal(identity.task, null);
    assert.equal(identity.attempt, null);
    assert.equal(identity.fields?.kept, true);
    // Kept, under a name that says whose they are.
    assert.deepEqual(
      { runId: identity.fields?.['field.runId'], workflowId: identity.fields?.['field.workflowId'], task: identity.fields?.['field.task'], attempt: identity.fields?.['field.attempt'] },
      { runId: 'mine', workflowId: 'mine', task: 'mine', attempt: 99 },
    );
  });
});

describe('parameter schemas the client cannot check as the flow does', () => {
  it('stop the worker at start, naming the flow, the field and why', async () => {
    const bad = spawnWorker({
      taskQueue: uniqueName('unfaithful'),
      storeUrl: sqliteStoreUrl('unfaithful'),
      workflows: path.resolve(__dirname, '../fixtures/unfaithful-parameters.ts'),
      activities: FIXTURES.activities,
    });
    const code = await bad.exited;
    assert.notEqual(code, 0);
    const out = bad.output();
    assert.match(out, /flow refinedFlow, parameter range: \.refine\(\)/);
    assert.match(out, /flow refinedFlow, parameter day: z\.date\(\)/);
    assert.match(out, /flow refinedFlow, parameter count: z\.coerce/);
    assert.match(out, /flow refinedFlow, parameter name: \.transform\(\)/);
    assert.doesNotMatch(out, /parameter label/);
  });

  it('are reported by `sluice check` the same way', async () => {
    const run = promisify(execFile)(process.execPath, [
      SLUICE_BIN, 'check', '--no-bundle',
      '--workflows', path.resolve(__dirname, '../fixtures/unfaithful-parameters.ts'),
      '--activities', FIXTURES.activities,
    ]);
    const failed = await run.then(() => undefined, (e: { code: number; stdout: string; stderr: string }) => e);
    assert.ok(failed, 'sluice check fails');
    assert.equal(failed.code, 1);
    assert.match(failed.stdout + failed.stderr, /flow refinedFlow, parameter range: \.refine\(\)/);
    assert.match(failed.stdout + failed.stderr, /flow refinedFlow, parameter day: z\.date\(\)/);
  });
});
