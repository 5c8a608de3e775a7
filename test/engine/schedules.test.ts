// Deployments → Temporal Schedules on a real server: create, update, delete, an operator's pause kept,
// idempotent over any number of syncs and worker restarts, and an interval deployment really fires.
import { Client } from '@temporalio/client';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeploymentDeclaration } from 'sluice/flow';
import { syncDeployments, type DeclaredFlow } from 'sluice/internal/worker';
import { temporalNamespace } from '../harness/env';
import { eventually } from '../harness/eventually';
import { FIXTURES, sqliteStoreUrl, testClient } from '../harness/sluice';
import { testConnection, uniqueName } from '../harness/temporal';
import { spawnWorker, startWorker } from '../harness/worker';

let client: Client;
before(async () => {
  client = new Client({ connection: await testConnection(), namespace: temporalNamespace() });
});
after(async () => client?.connection.close());

async function ownedBy(owner: string) {
  const ids: string[] = [];
  for await (const s of client.schedule.list()) if (s.memo?.sluiceOwner === owner) ids.push(s.scheduleId);
  return ids.sort();
}

describe('syncDeployments', () => {
  const queue = uniqueName('owner');
  const owner = { taskQueue: queue };
  const flowName = uniqueName('flow');
  const declared = (deployments: DeploymentDeclaration[]): DeclaredFlow[] => [{ name: flowName, taskQueue: queue, deployments }];
  const daily: DeploymentDeclaration = { name: 'daily', cron: '0 6 * * *', timezone: 'Europe/Amsterdam', parameters: { label: 'a' } };
  const manual: DeploymentDeclaration = { name: 'manual', parameters: { label: 'm' } };

  it('creates what is missing, and a second sync changes nothing', async () => {
    const first = await syncDeployments(client, owner, declared([daily, manual]));
    assert.deepEqual(first.created.sort(), [`${flowName}.daily`, `${flowName}.manual`]);
    for (let i = 0; i < 3; i++) {
      const again = await syncDeployments(client, owner, declared([daily, manual]));
      assert.deepEqual(again.created, []);
      assert.deepEqual(again.updated, []);
      assert.equal(again.unchanged.length, 2);
    }
    const d = await client.schedule.getHandle(`${flowName}.daily`).describe();
    assert.equal(d.spec.timezone, 'Europe/Amsterdam');
    assert.equal(d.state.paused, false);
    assert.ok(d.info.nextActionTimes.length > 0, 'a cron deployment has next run times');
    const m = await client.schedule.getHandle(`${flowName}.manual`).describe();
    assert.equal(m.info.nextActionTimes.length, 0, 'a manual deployment never fires by itself');
  });

  it("updates what changed and keeps an operator's pause", async () => {
    await client.schedule.getHandle(`${flowName}.daily`).pause('maintenance of the gauge');
    const report = await syncDeployments(client, owner, declared([{ ...daily, cron: '30 7 * * *', parameters: { label: 'b' } }, manual]));
    assert.deepEqual(report.updated, [`${flowName}.daily`]);
    const d = await client.schedule.getHandle(`${flowName}.daily`).describe();
    assert.equal(d.state.paused, true);
    assert.equal(d.state.note, 'maintenance of the gauge');
    assert.deepEqual(d.action.type === 'startWorkflow' && d.action.args, [{ label: 'b' }]);
    assert.equal(d.spec.calendars?.[0]?.hour?.[0]?.start, 7);
  });

  it('applies a change of the declared pause itself', async () => {
    await syncDeployments(client, owner, declared([{ ...daily, cron: '30 7 * * *', parameters: { label: 'b' } }, { ...manual, paused: true }]));
    assert.equal((await client.schedule.getHandle(`${flowName}.manual`).describe()).state.paused, true);
  });

  it('applies the declared runTimeout, overlap and catchupWindow, and the defaults when they go', async () => {
    const timed: DeploymentDeclaration = { name: 'timed', interval: '1h', overlap: 'bufferOne', catchupWindow: '1 hour', runTimeout: '2h' };
    const flows = (d: DeploymentDeclaration): DeclaredFlow[] => [{ name: flowName, taskQueue: queue, deployments: [daily, manual, d], runTimeout: '3h' }];
    await syncDeployments(client, owner, flows(timed));
    const described = async () => {
      const d = await client.schedule.getHandle(`${flowName}.timed`).describe();
      const action = d.action.type === 'startWorkflow' ? d.action : undefined;
      return { overlap: d.policies.overlap, catchupWindow: d.policies.catchupWindow, runTimeout: action?.workflowExecutionTimeout };
    };
    assert.deepEqual(await described(), { overlap: 'BUFFER_ONE', catchupWindow: 3_600_000, runTimeout: 7_200_000 });
    const report = await syncDeployments(client, owner, flows({ name: 'timed', interval: '1h' }));
    assert.deepEqual(report.updated, [`${flowName}.timed`]);
    // The flow's runTimeout when the deployment declares none; Temporal's and Sluice's defaults otherwise.
    assert.deepEqual(await described(), { overlap: 'SKIP', catchupWindow: 600_000, runTimeout: 3 * 3_600_000 });
    await client.schedule.getHandle(`${flowName}.timed`).delete();
  });

  it('deletes what it owns and no longer declares, and nothing of another owner', async () => {
    const other = uniqueName('other');
    await syncDeployments(client, { taskQueue: other }, [{ name: uniqueName('theirs'), taskQueue: other, deployments: [manual] }]);
    const report = await syncDeployments(client, owner, declared([manual]));
    assert.deepEqual(report.deleted, [`${flowName}.daily`]);
    await eventually(async () => (await ownedBy(queue)).join() === `${flowName}.manual`, 15_000, 'the list to show one schedule');
    assert.equal((await ownedBy(other)).length, 1);
  });
});

describe('syncDeployments and another owner', () => {
  it("leaves alone a schedule another queue owns, even when it declares the same deployment", async () => {
    const [mine, theirs] = [uniqueName('mine'), uniqueName('theirs')];
    const flowName = uniqueName('shared');
    const deployment: DeploymentDeclaration = { name: 'daily', cron: '0 6 * * *', parameters: { label: 'theirs' } };
    await syncDeployments(client, { taskQueue: theirs }, [{ name: flowName, taskQueue: theirs, deployments: [deployment] }]);
    const lines: string[] = [];
    const report = await syncDeployments(client, { taskQueue: mine }, [{ name: flowName, taskQueue: mine, deployments: [{ ...deployment, cron: '0 7 * * *', parameters: { label: 'mine' } }] }], (l) => lines.push(l));
    assert.deepEqual(report.ownedElsewhere, [`${flowName}.daily`]);
    assert.deepEqual([report.created, report.updated, report.deleted], [[], [], []]);
    assert.match(lines.join('\n'), new RegExp(`${flowName}\\.daily: left alone, its schedule belongs to task queue ${theirs}`));
    const d = await client.schedule.getHandle(`${flowName}.daily`).describe();
    assert.equal(d.memo?.sluiceOwner, theirs);
    assert.deepEqual(d.action.type === 'startWorkflow' && [d.action.taskQueue, d.action.args], [theirs, [{ label: 'theirs' }]]);
    assert.deepEqual((await syncDeployments(client, { taskQueue: mine }, [])).deleted, [], 'nor deleted when it declares nothing');
    await client.schedule.getHandle(`${flowName}.daily`).delete();
  });
});

describe('syncDeployments and another repository on the same task queue', () => {
  // A second repository's worker started on the first one's queue (both left at the default queue) must not
  // take the first one's schedules for its own: ownership is the queue and the repository.
  const queue = uniqueName('shared-queue');
  const [first, second] = [{ taskQueue: queue, repository: uniqueName('first-repo') }, { taskQueue: queue, repository: uniqueName('second-repo') }];
  const [theirFlow, legacyFlow] = [uniqueName('theirs'), uniqueName('legacy')];
  const daily: DeploymentDeclaration = { name: 'daily', cron: '0 6 * * *' };
  const manual: DeploymentDeclaration = { name: 'manual' };
  after(async () => {
    for (const id of [`${theirFlow}.daily`, `${theirFlow}.manual`, `${legacyFlow}.manual`]) await client.schedule.getHandle(id).delete().catch(() => {});
  });

  it("neither deletes nor changes the other repository's schedules, and says whose they are", async () => {
    await syncDeployments(client, first, [{ name: theirFlow, taskQueue: queue, deployments: [daily, manual] }]);
    const lines: string[] = [];
    const report = await syncDeployments(client, second, [{ name: theirFlow, taskQueue: queue, deployments: [{ ...daily, cron: '0 9 * * *' }] }], (l) => lines.push(l));
    assert.deepEqual([report.deleted, report.updated, report.ownedElsewhere], [[], [], [`${theirFlow}.daily`]]);
    assert.match(lines.join('\n'), new RegExp(`${theirFlow}\\.daily: left alone, its schedule belongs to repository ${first.repository} on task queue ${queue}`));
    assert.deepEqual((await syncDeployments(client, second, [])).deleted, [], 'nor deleted when it declares nothing');
    const d = await client.schedule.getHandle(`${theirFlow}.daily`).describe();
    assert.deepEqual([d.memo?.sluiceRepository, d.spec.calendars?.[0]?.hour?.[0]?.start], [first.repository, 6]);
    await client.schedule.getHandle(`${theirFlow}.manual`).describe();
    assert.deepEqual((await syncDeployments(client, first, [{ name: theirFlow, taskQueue: queue, deployments: [daily] }])).deleted, [`${theirFlow}.manual`], 'its own worker still deletes it');
  });

  it('deletes a schedule made before repositories were recorded only when the catalog gives its flow to this repository', async () => {
    await syncDeployments(client, { taskQueue: queue }, [{ name: legacyFlow, taskQueue: queue, deployments: [manual] }]);
    assert.deepEqual((await syncDeployments(client, { ...second, catalogFlows: new Set(['another']) }, [])).deleted, []);
    assert.deepEqual((await syncDeployments(client, { ...second, catalogFlows: new Set([legacyFlow]) }, [])).deleted, [`${legacyFlow}.manual`]);
  });
});

describe('the worker', () => {
  it('syncs at every start without duplicates, and an interval deployment fires by itself', async () => {
    const storeUrl = sqliteStoreUrl('schedules');
    const taskQueue = uniqueName('sched');
    const name = uniqueName('tick');
    const env = { SLUICE_FIXTURE_DEPLOYMENTS: JSON.stringify([{ name, interval: '2s', parameters: { label: name } }]) };
    for (let i = 0; i < 2; i++) await (await startWorker({ taskQueue, storeUrl, ...FIXTURES, env })).stop();
    const worker = await startWorker({ taskQueue, storeUrl, ...FIXTURES, env });
    const { client: sluice, close } = await testClient(storeUrl);
    try {
      assert.deepEqual(await ownedBy(taskQueue), [`scheduledFlow.${name}`]);
      const fired = await eventually(async () => {
        const { runs } = await sluice.listRuns({ deployment: name, status: 'completed' });
        return runs.length > 0 && runs[0];
      }, 60_000, 'a run started by the schedule');
      assert.equal(fired.flow, 'scheduledFlow');
      assert.equal(fired.startedBy, `schedule:scheduledFlow:${name}`);
      const deployments = await sluice.listDeployments('scheduledFlow');
      const mine = deployments.find((d) => d.name === name)!;
      assert.equal(mine.interval, '2s');
      assert.ok(mine.recentRuns.length > 0);
      assert.ok(mine.temporalWebUrl.endsWith(`/namespaces/${temporalNamespace()}/schedules/scheduledFlow.${name}`), mine.temporalWebUrl);
      const run = (await sluice.getRun(fired.workflowId, fired.runId))!;
      assert.ok(run.temporalWebUrl.endsWith(`/namespaces/${temporalNamespace()}/workflows/${encodeURIComponent(fired.workflowId)}/${fired.runId}/history`), run.temporalWebUrl);
    } finally {
      await close();
      assert.equal(await worker.stop(), 0);
      await client.schedule.getHandle(`scheduledFlow.${name}`).delete();
    }
  });

  for (const [what, deployment, message] of [
    ['a bad cron', { name: 'broken', cron: '61 * * * *' }, /flow scheduledFlow, deployment "broken": invalid cron "61 \* \* \* \*"/],
    ['an unknown timezone', { name: 'zoned', cron: '0 6 * * *', timezone: 'Europe/Atlantis' }, /deployment "zoned": unknown timezone "Europe\/Atlantis"/],
    ['parameters that fail the schema', { name: 'typed', cron: '0 6 * * *', parameters: { label: 42 } }, /deployment "typed": Invalid parameters for flow scheduledFlow: label:/],
  ] as const) {
    it(`refuses to start on ${what}, naming the flow and deployment`, async () => {
      const worker = spawnWorker({
        taskQueue: uniqueName('refuse'),
        storeUrl: sqliteStoreUrl('refuse'),
        ...FIXTURES,
        env: { SLUICE_FIXTURE_DEPLOYMENTS: JSON.stringify([deployment]) },
      });
      assert.equal(await worker.exited, 1);
      assert.match(worker.output(), message);
      assert.doesNotMatch(worker.output(), /\n\s+at /, 'no stack trace for a declaration problem');
    });
  }
});
