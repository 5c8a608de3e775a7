// Concurrency and rate limits against real workers and the suite's Temporal server: at most N runs per key, per
// deployment, N calls of tasks sharing a limit, N starts per window; a waiting run is listed as waiting, with what
// it waits for; a cancelled or terminated run gives its slot back, and a killed worker loses none.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SluiceClient, type RunRef } from 'sluice/client';
import { eventually } from '../harness/eventually';
import { LIMIT_FIXTURES, sqliteStoreUrl, testClient } from '../harness/sluice';
import { uniqueName } from '../harness/temporal';
import { startWorker, type TestWorker } from '../harness/worker';
import type { Span } from '../fixtures/limit-tasks';

/** The most spans that overlap at any moment. */
function mostAtOnce(spans: Span[]): number {
  const edges = spans.flatMap((s) => [{ t: s.start, d: 1 }, { t: s.end, d: -1 }]).sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let most = 0;
  for (const e of edges) most = Math.max(most, (now += e.d));
  return most;
}

describe('concurrency and rate limits', () => {
  let workers: TestWorker[];
  let client: SluiceClient;
  let close: () => Promise<void>;

  /** Waits until the runs list shows `ref` waiting for a slot of `key`. */
  const listedWaiting = (ref: RunRef, key: string) =>
    eventually(async () => {
      const { runs } = await client.listRuns({ waitingForSlot: true }, { pageSize: 100 });
      return runs.find((r) => r.runId === ref.runId && r.waitingFor?.some((w) => w.key === key));
    }, 20_000, `run ${ref.workflowId} listed as waiting for ${key}`);

  /** Waits until the run's task has started (its first progress report), so it holds its slot. */
  const holding = (ref: RunRef) =>
    eventually(async () => (await client.getRun(ref.workflowId, ref.runId))?.tasks.some((t) => t.status === 'running'), 20_000, `${ref.workflowId} running its task`);

  before(async () => {
    const storeUrl = sqliteStoreUrl('limits');
    const taskQueue = uniqueName('limits');
    // Two workers on one queue: one of them is killed while it runs a task that holds a slot.
    workers = await Promise.all([1, 2].map(() => startWorker({ taskQueue, storeUrl, ...LIMIT_FIXTURES })));
    ({ client, close } = await testClient(storeUrl));
  });
  after(async () => {
    await close?.();
    await Promise.all(workers.map((w) => w.stop()));
  });

  it('runs at most one run per basin; the others wait, listed as waiting with what for, then run in order', async () => {
    const basin = uniqueName('rhine');
    const other = uniqueName('meuse');
    const first = await client.start('reservoirModel', { basin, ms: 5000, label: 'a1' });
    await holding(first);
    const queued = [await client.start('reservoirModel', { basin, ms: 300, label: 'a2' }), await client.start('reservoirModel', { basin, ms: 300, label: 'a3' })];
    const elsewhere = await client.start('reservoirModel', { basin: other, ms: 300, label: 'b1' });

    const waiting = await listedWaiting(queued[0]!, `flow:reservoirModel:${basin}`);
    assert.equal(waiting.status, 'running');
    assert.deepEqual(
      waiting.waitingFor?.map(({ kind, limit, what }) => ({ kind, limit, what })),
      [{ kind: 'concurrency', limit: 1, what: 'run of flow reservoirModel' }],
    );
    // The run page says who holds the slot.
    const detail = await eventually(async () => {
      const run = await client.getRun(queued[0]!.workflowId, queued[0]!.runId);
      return run?.limits[0]?.holders[0]?.runId === first.runId && run.limits[0].waiting === 2 && run;
    }, 10_000, 'the limiter naming the holder, and two runs waiting');
    assert.equal(detail.limits[0]?.inUse, 1);
    assert.equal(detail.limits[0]?.limit, 1);
    assert.deepEqual(detail.tasks, [], 'a waiting run has started no task, and the limiter request is not one');

    // Another basin is not held up.
    const b1 = (await client.waitForResult(elsewhere)) as Span;
    const spans = (await Promise.all([first, ...queued].map((r) => client.waitForResult(r)))) as Span[];
    assert.equal(mostAtOnce(spans), 1, `one run of basin ${basin} at a time: ${JSON.stringify(spans)}`);
    assert.deepEqual([...spans].sort((x, y) => x.start - y.start).map((s) => s.label), ['a1', 'a2', 'a3'], 'first come, first served');
    assert.ok(b1.start < spans[0]!.end, 'the other basin ran while the first held its slot');
    const done = await client.getRun(queued[1]!.workflowId, queued[1]!.runId);
    assert.equal(done?.waitingFor, undefined, 'a finished run waits for nothing');

    // Limiters are machinery: never in the runs list or its counts.
    const { runs } = await client.listRuns({}, { pageSize: 500 });
    assert.ok(runs.length >= 4);
    assert.ok(runs.every((r) => r.flow !== 'sluiceLimiter'), 'no limiter in the runs list');
    assert.equal((await client.countRuns()).total, runs.length);
  });

  it('runs a deployment at most once at a time, however its runs are started', async () => {
    const runs = [await client.startDeployment('nightlyImport', 'nightly', { parameters: { ms: 800, label: 'n1' } })];
    await holding(runs[0]!);
    runs.push(await client.triggerDeployment('nightlyImport', 'nightly'));
    await listedWaiting(runs[1]!, 'deployment:nightlyImport.nightly');
    // Started directly, not through the deployment: not counted against it.
    const direct = await client.start('nightlyImport', { ms: 10, label: 'direct' });
    await client.waitForResult(direct);
    const spans = (await Promise.all(runs.map((r) => client.waitForResult(r)))) as Span[];
    assert.equal(mostAtOnce(spans), 1);
  });

  it('runs at most 2 calls of the tasks sharing the knmi-api limit, across runs', async () => {
    const refs = [await client.start('knmiDownloads', { n: 5, ms: 500 }), await client.start('knmiDownloads', { n: 3, ms: 500 })];
    const spans = ((await Promise.all(refs.map((r) => client.waitForResult(r)))) as Span[][]).flat();
    assert.equal(spans.length, 8);
    assert.equal(mostAtOnce(spans), 2, JSON.stringify(spans));
  });

  it('starts a rate-limited task at most 2 times in any 2 seconds', async () => {
    const ref = await client.start('pingMany', { n: 5 });
    await client.waitForResult(ref);
    // Counted when the limiter grants a start; the run schedules the call a workflow step later, so the times
    // Temporal recorded may bunch up by that step's latency (the 300 ms allowed here), never by a window.
    const run = await client.getRun(ref.workflowId, ref.runId);
    const starts = run!.tasks.map((t) => Date.parse(t.scheduledTime)).sort((a, b) => a - b);
    assert.equal(starts.length, 5);
    for (let i = 2; i < starts.length; i++) assert.ok(starts[i]! - starts[i - 2]! >= 1700, `3 starts within 2 s: ${starts.join(', ')}`);
    assert.ok(starts[4]! - starts[0]! >= 3700, 'five starts take at least two windows');
  });

  it('gives the slot of a cancelled run back, and forgets a cancelled run that waited', async () => {
    const basin = uniqueName('cancel');
    const holder = await client.start('reservoirModel', { basin, ms: 60_000 });
    await holding(holder);
    const gaveUp = await client.start('reservoirModel', { basin, ms: 10 });
    const next = await client.start('reservoirModel', { basin, ms: 10 });
    await listedWaiting(next, `flow:reservoirModel:${basin}`);
    await client.cancelRun(gaveUp);
    await client.cancelRun(holder);
    await client.waitForResult(next);
    assert.equal((await client.getRunSummary(holder.workflowId))?.status, 'cancelled');
    assert.equal((await client.getRunSummary(gaveUp.workflowId))?.status, 'cancelled');
  });

  it('takes the slot of a terminated run back (it could not give it back itself)', async () => {
    const basin = uniqueName('terminate');
    const holder = await client.start('reservoirModel', { basin, ms: 60_000 });
    await holding(holder);
    const next = await client.start('reservoirModel', { basin, ms: 10 });
    await listedWaiting(next, `flow:reservoirModel:${basin}`);
    await client.temporal.workflow.getHandle(holder.workflowId).terminate('operator ended it');
    await client.waitForResult(next);
  });

  it('keeps the slot with its run when the worker running it is killed; the run finishes elsewhere, then the next runs', async () => {
    const basin = uniqueName('kill');
    const holder = await client.start('reservoirModel', { basin, ms: 3000, label: 'holder' });
    const task = await eventually(async () => (await client.getRun(holder.workflowId, holder.runId))?.tasks.find((t) => t.status === 'running' && t.worker), 20_000, 'the task running');
    const next = await client.start('reservoirModel', { basin, ms: 10, label: 'next' });
    await listedWaiting(next, `flow:reservoirModel:${basin}`);
    const victim = workers.find((w) => task.worker?.startsWith(`${w.process.pid}@`));
    assert.ok(victim, `the worker ${task.worker} is one of ours`);
    await victim.kill9();

    const held = (await client.waitForResult(holder)) as Span;
    const after = (await client.waitForResult(next)) as Span;
    assert.notEqual(held.worker, String(victim.process.pid), 'the holder finished on the other worker');
    assert.ok(after.start >= held.end, `the next run waited for the holder: ${JSON.stringify({ held, after })}`);
  });
});
