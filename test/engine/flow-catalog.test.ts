// Several workflow repositories, one Temporal and one store: real `sluice worker` processes on their own task
// queues. A flow name served by a live queue is refused; a flow a queue stops declaring is gone (its schedules
// deleted, other queues' kept); a renamed queue takes its flows and schedules over, an operator's pause kept.
import { Client, ScheduleNotFoundError } from '@temporalio/client';
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FlowGoneError } from 'sluice/client';
import { queueIsLive } from 'sluice/internal/worker';
import { temporalNamespace } from '../harness/env';
import { eventually } from '../harness/eventually';
import { FIXTURES, sqliteStoreUrl, testClient } from '../harness/sluice';
import { testConnection, uniqueName } from '../harness/temporal';
import { spawnWorker, startWorker, type TestWorker } from '../harness/worker';

const CATALOG = { workflows: path.resolve(__dirname, '../fixtures/catalog-flows.ts'), activities: FIXTURES.activities };
const FEWER = { workflows: path.resolve(__dirname, '../fixtures/catalog-flows-fewer.ts'), activities: FIXTURES.activities };
// Another repository (its own package.json): it declares catalogRain too.
const OTHER_REPOSITORY = { workflows: path.resolve(__dirname, '../fixtures/other-repository/workflows.ts'), activities: FIXTURES.activities };

describe('flow names and schedules across task queues', () => {
  const storeUrl = sqliteStoreUrl('queues');
  const deployment = uniqueName('dep');
  const env = { SLUICE_FIXTURE_DEPLOYMENTS: JSON.stringify([{ name: deployment }]) };
  const [q1, q2, q3, q4] = ['one', 'two', 'three', 'four'].map((n) => uniqueName(`queue-${n}`));
  const rain = `catalogRain.${deployment}`;
  const river = `catalogRiver.${deployment}`;
  const theirs = `scheduledFlow.${deployment}`;
  let temporal: Client;
  let sluice: Awaited<ReturnType<typeof testClient>>;
  const workers: TestWorker[] = [];

  const describeSchedule = (id: string) => temporal.schedule.getHandle(id).describe();
  const ownerOf = async (id: string) => (await describeSchedule(id)).memo?.sluiceOwner;

  before(async () => {
    temporal = new Client({ connection: await testConnection(), namespace: temporalNamespace() });
    sluice = await testClient(storeUrl);
    workers.push(...(await Promise.all([startWorker({ taskQueue: q1, storeUrl, ...CATALOG, env }), startWorker({ taskQueue: q3, storeUrl, ...FIXTURES, env })])));
  });
  after(async () => {
    for (const w of workers) await w.stop();
    for (const id of [rain, river, theirs]) await temporal.schedule.getHandle(id).delete().catch(() => {});
    await sluice?.close();
    await temporal?.connection.close();
  });

  it('refuses a second queue declaring the same flow names, naming both queues, and changes nothing', async () => {
    const catalog = await sluice.store.listFlows();
    const worker = spawnWorker({ taskQueue: q2, storeUrl, ...CATALOG, env });
    assert.equal(await worker.exited, 1, worker.output());
    const output = worker.output();
    assert.match(output, new RegExp(`flow catalogRain is served by task queue ${q1}, which has a running worker; task queue ${q2} cannot serve it too`));
    assert.match(output, /flow catalogRiver is served/);
    assert.match(output, new RegExp(`rename the flow \\(its export name in the workflows module\\), or stop the worker of task queue ${q1} first`));
    assert.doesNotMatch(output, /\n\s+at /, 'no stack trace');
    assert.deepEqual(await sluice.store.listFlows(), catalog, 'the catalog is untouched');
    assert.deepEqual(await sluice.store.flowsOfQueue(q2), []);
    assert.equal(await ownerOf(rain), q1, 'the schedules are untouched');
    assert.equal(await ownerOf(river), q1);
  });

  it('refuses a flow name another repository declares, and a task queue serving its flows, naming that repository; changes nothing', async () => {
    const catalog = await sluice.store.listFlows();
    // Without a queue setting it takes its package.json's: a flow name of this repository is refused there.
    const ownQueue = spawnWorker({ taskQueue: '', storeUrl, ...OTHER_REPOSITORY, env });
    assert.equal(await ownQueue.exited, 1, ownQueue.output());
    assert.match(ownQueue.output(), new RegExp(`flow catalogRain is declared by repository sluice-project on task queue ${q1}, which has a running worker; this repository cannot declare it too`));
    assert.match(ownQueue.output(), /if the flow moved here, delete it from repository sluice-project and start that worker again/);
    // Started on this repository's queue, it would take its runs and retire its flows: refused.
    const sameQueue = spawnWorker({ taskQueue: q1, storeUrl, ...OTHER_REPOSITORY, env });
    assert.equal(await sameQueue.exited, 1, sameQueue.output());
    assert.match(sameQueue.output(), new RegExp(`task queue ${q1} serves the flows of repository sluice-project \\(catalogRain, catalogRiver\\), and repository other-repository cannot share it`));
    for (const output of [ownQueue.output(), sameQueue.output()]) assert.doesNotMatch(output, /\n\s+at /, 'no stack trace');
    assert.deepEqual(await sluice.store.listFlows(), catalog, 'the catalog is untouched');
    assert.equal(await ownerOf(river), q1, 'the schedules are untouched');
  });

  it('marks a flow its queue stops declaring gone: its schedules go, other queues keep theirs, it cannot start, its runs stay', async () => {
    const past = await sluice.client.start('catalogRiver', {});
    assert.equal(await sluice.client.waitForResult(past), 'river');
    await workers.shift()!.stop();
    const fewer = await startWorker({ taskQueue: q1, storeUrl, ...FEWER, env });
    workers.unshift(fewer);
    assert.match(fewer.output(), new RegExp(`deployment ${river.replace('.', '\\.')}: deleted \\(no longer declared\\)`));

    const gone = await sluice.client.getFlow('catalogRiver');
    assert.ok(gone?.goneAt, 'the flow is listed as gone');
    await assert.rejects(sluice.client.start('catalogRiver', {}), (err: Error) => {
      assert.ok(err instanceof FlowGoneError, String(err));
      assert.match(err.message, new RegExp(`Flow catalogRiver is no longer served: its task queue ${q1} stopped declaring it at ${gone.goneAt}`));
      return true;
    });
    assert.equal((await sluice.client.getRun(past.workflowId, past.runId))?.flow, 'catalogRiver', 'its past runs stay readable');
    await assert.rejects(describeSchedule(river), ScheduleNotFoundError);
    assert.equal(await ownerOf(rain), q1);
    assert.equal(await ownerOf(theirs), q3, "another queue's schedule stays");
    assert.equal((await sluice.client.getFlow('scheduledFlow'))?.goneAt, null, "another queue's flows stay");
  });

  it('moves the flows of a renamed queue to the new one and adopts their schedules, keeping a pause and its note', async () => {
    await temporal.schedule.getHandle(rain).pause('gauge maintenance');
    await workers.shift()!.stop();
    // Temporal reports the stopped worker's poller until it is older than an idle long poll.
    await eventually(async () => !(await queueIsLive(temporal, q1)), 150_000, `task queue ${q1} to look stopped`);
    const renamed = await startWorker({ taskQueue: q4, storeUrl, ...FEWER, env });
    workers.push(renamed);
    assert.match(renamed.output(), new RegExp(`flow catalogRain: taken over from task queue ${q1}`));
    assert.match(renamed.output(), new RegExp(`deployment ${rain.replace('.', '\\.')}: adopted from task queue ${q1}, kept paused \\(gauge maintenance\\)`));

    const adopted = await describeSchedule(rain);
    assert.equal(adopted.memo?.sluiceOwner, q4);
    assert.equal(adopted.action.type === 'startWorkflow' && adopted.action.taskQueue, q4);
    assert.equal(adopted.state.paused, true);
    assert.equal(adopted.state.note, 'gauge maintenance');
    assert.equal((await sluice.client.getFlow('catalogRain'))?.taskQueue, q4);
    assert.ok((await sluice.store.flowsOfQueue(q1)).every((f) => f.goneAt !== null), 'the old queue’s entries are gone');
    assert.equal(await sluice.client.waitForResult(await sluice.client.start('catalogRain', {})), 'rain', 'runs start on the new queue');
  });
});
