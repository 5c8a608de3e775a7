// Backfill on a real worker and Temporal server: one run per slot, each knowing its slot's time (as a scheduled
// run does), the overlap policy and the limit on runs at once kept, progress counted, cancelled as a whole.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvalidBackfillError, UnknownDeploymentError, type SluiceClient } from 'sluice/client';
import type { DeploymentDeclaration } from 'sluice/flow';
import { scheduleSpecOf } from 'sluice/internal/worker';
import { slotsOf } from '../../sdk/src/backfill/slots';
import { eventually } from '../harness/eventually';
import { sqliteStoreUrl, testClient, FIXTURES } from '../harness/sluice';
import { uniqueName } from '../harness/temporal';
import { startWorker, type TestWorker } from '../harness/worker';

const workflows = path.resolve(__dirname, '../fixtures/backfill-flows.ts');
let client: SluiceClient;
let close: () => Promise<void>;
let worker: TestWorker;
const queue = uniqueName('backfill');

before(async () => {
  const storeUrl = sqliteStoreUrl('backfill');
  ({ client, close } = await testClient(storeUrl));
  worker = await startWorker({ taskQueue: queue, storeUrl, workflows, activities: FIXTURES.activities });
});
after(async () => {
  await worker?.stop();
  await close?.();
});

/** The runs of a backfill with their slot (the flow's result) and times, oldest slot first. */
async function runsOf(id: string) {
  const { runs } = await client.listRuns({ startedBy: `backfill:${id}` }, { pageSize: 100 });
  const details = await Promise.all(runs.map((r) => client.getRun(r.workflowId, r.runId)));
  return details.map((d) => ({ status: d!.status, result: d!.result, start: Date.parse(d!.startTime), close: Date.parse(d!.closeTime ?? '') })).sort((a, b) => String(a.result).localeCompare(String(b.result)));
}

/** The most runs that were running at one moment. */
function mostAtOnce(runs: { start: number; close: number }[]): number {
  return Math.max(...runs.map((r) => runs.filter((o) => o.start <= r.start && r.start < o.close).length));
}

describe('backfill', () => {
  it('previews one run per slot of the schedule, nothing started', async () => {
    const preview = await client.previewBackfill('dailyImport', 'daily', { from: '2026-03-01', to: '2026-03-31' });
    assert.equal(preview.runs, 31);
    assert.equal(preview.firstSlot, '2026-03-01T06:00:00.000Z');
    assert.equal(preview.lastSlot, '2026-03-31T06:00:00.000Z');
    assert.equal(preview.maxRunning, 1, "overlap 'skip' runs one slot at a time");
    const hourly = await client.previewBackfill('dailyImport', 'hourly', { from: '2026-03-01T00:00:00Z', to: '2026-03-01T05:00:00Z', maxRunning: 3 });
    assert.equal(hourly.runs, 6);
    assert.equal(hourly.maxRunning, 3);
  });

  it("counts the slots Temporal's own schedule computes: cron in a timezone across a DST change, several crons, intervals", async () => {
    const specs: DeploymentDeclaration[] = [
      // 02:30 on March's Sundays in Amsterdam: the last one has no 02:30 (clocks go from 02:00 to 03:00).
      { name: 'a', cron: '30 2 * 3 0', timezone: 'Europe/Amsterdam' },
      // New York's clocks move on March's second Sunday, inside these days.
      { name: 'b', cron: ['30 2 8-20 3 *', '0 12 8-20 3 6'], timezone: 'America/New_York' },
      { name: 'c', interval: '90 minutes' },
    ];
    for (const d of specs) {
      const handle = await client.temporal.schedule.create({
        scheduleId: uniqueName('slots'),
        spec: scheduleSpecOf(d),
        action: { type: 'startWorkflow', workflowType: 'dailyImport', taskQueue: queue, args: [{ holdMs: 0 }] },
      });
      try {
        const now = new Date();
        const temporal = (await handle.describe()).info.nextActionTimes.map((t) => t.toISOString());
        assert.ok(temporal.length >= 5, `Temporal gives next times for ${d.name}`);
        const ours = slotsOf(d, now, new Date(now.getTime() + 5 * 366 * 86_400_000), temporal.length).slice(0, temporal.length).map((t) => t.toISOString());
        assert.deepEqual(ours, temporal, `deployment ${d.name}`);
      } finally {
        await handle.delete();
      }
    }
  });

  it('refuses a bad range with a message saying what to change', async () => {
    await assert.rejects(client.previewBackfill('dailyImport', 'daily', { from: '2026-03-31', to: '2026-03-01' }), (e: Error) => e instanceof InvalidBackfillError && /reversed.*Swap/.test(e.message));
    await assert.rejects(client.backfill('dailyImport', 'hourly', { from: '2024-01-01', to: '2026-01-01' }), (e: Error) => e instanceof InvalidBackfillError && /more than 1000 slots.*Split/.test(e.message));
    await assert.rejects(client.backfill('dailyImport', 'daily', { from: '2026-01-01', to: '2999-01-01' }), (e: Error) => e instanceof InvalidBackfillError && /future/.test(e.message));
    await assert.rejects(client.backfill('dailyImport', 'manual', { from: '2026-01-01', to: '2026-01-02' }), (e: Error) => e instanceof InvalidBackfillError && /no schedule/.test(e.message));
    await assert.rejects(client.backfill('dailyImport', 'nope', { from: '2026-01-01', to: '2026-01-02' }), UnknownDeploymentError);
    const { runs } = await client.listRuns({ flow: 'dailyImport' });
    assert.equal(runs.length, 0, 'nothing started');
  });

  it('a run its schedule started reads its slot the same way', async () => {
    const scheduleId = uniqueName('every2s');
    const handle = await client.temporal.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '2s' }] },
      action: { type: 'startWorkflow', workflowType: 'dailyImport', workflowId: scheduleId, taskQueue: queue, args: [{ holdMs: 0 }] },
    });
    try {
      const fired = await eventually(async () => (await handle.describe()).info.recentActions[0], 15_000, 'the schedule to fire');
      assert.equal(fired.action.type, 'startWorkflow');
      const result = await client.temporal.workflow.getHandle(fired.action.workflow.workflowId, fired.action.workflow.firstExecutionRunId).result();
      assert.equal(result, fired.scheduledAt.toISOString());
      assert.equal(Date.parse(result as string) % 2000, 0, 'a slot of the 2 s interval');
    } finally {
      await handle.delete();
    }
  });

  it('runs every slot once, one at a time, each knowing its slot', async () => {
    const started = await client.backfill('dailyImport', 'daily', { from: '2026-02-01', to: '2026-02-03', maxRunning: 5 }, { startedBy: 'user:ann@example.org' });
    assert.equal(started.runs, 3);
    const done = await eventually(async () => {
      const b = await client.getBackfill(started.id);
      return b.state === 'completed' && b.done === 3 && b;
    }, 30_000, 'the backfill to complete');
    assert.equal(done.runs.completed, 3);
    assert.equal(done.startedBy, 'user:ann@example.org');
    const runs = await runsOf(started.id);
    assert.deepEqual(runs.map((r) => r.result), ['2026-02-01T06:00:00.000Z', '2026-02-02T06:00:00.000Z', '2026-02-03T06:00:00.000Z']);
    assert.equal(mostAtOnce(runs), 1, "overlap 'skip': never two at once");
    assert.ok((await client.listBackfills('dailyImport', 'daily')).some((b) => b.id === started.id), 'listed with its deployment');
  });

  it('keeps at most maxRunning running when overlap allows, and is cancelled as a whole', async () => {
    const started = await client.backfill('dailyImport', 'hourly', { from: '2026-02-10T00:00:00Z', to: '2026-02-10T09:00:00Z', maxRunning: 2 });
    assert.equal(started.runs, 10);
    await eventually(async () => (await client.getBackfill(started.id)).done >= 4, 30_000, 'four runs done');
    assert.equal(await client.cancelBackfill(started.id), true);
    const cancelled = await eventually(async () => {
      const b = await client.getBackfill(started.id);
      return b.state === 'cancelled' && !b.runs.running && b;
    }, 30_000, 'the backfill cancelled');
    const runs = await runsOf(started.id);
    assert.ok(runs.length < 10, `cancelled before every slot started (${runs.length} started)`);
    assert.equal(mostAtOnce(runs), 2, 'two at once, never more');
    assert.ok((cancelled.runs.completed ?? 0) >= 4);
    assert.equal(await client.cancelBackfill(started.id), false, 'an ended backfill is not cancelled again');
  });
});
