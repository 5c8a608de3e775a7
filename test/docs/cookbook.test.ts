// The cookbook's flows, run as a reader would run them: its `workflows/…` and `activities/…` samples written
// to a repository-like folder exactly as the page shows them, served by a real `sluice worker` on the suite's
// Temporal server, each flow started through the client. What the page promises is what is asserted: the
// fan-out's totals, the timer waiting for a file, the deadline, child flows as runs of their own, the
// patched() branch for new runs, an unknown station skipped and a run failing with the flow's own error.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RunFailedError, type SluiceClient } from 'sluice/client';
import { eventually } from '../harness/eventually';
import { freshTmpDir } from '../harness/env';
import { sqliteStoreUrl, testClient } from '../harness/sluice';
import { uniqueName } from '../harness/temporal';
import { startWorker, type TestWorker } from '../harness/worker';
import { sampleRepository } from './markdown';

const COOKBOOK = 'docs/cookbook.md';

let repo: { dir: string; flows: string[] };
let worker: TestWorker;
let client: SluiceClient;
let close: () => Promise<void>;

before(async () => {
  repo = sampleRepository(COOKBOOK);
  const storeUrl = sqliteStoreUrl('cookbook');
  worker = await startWorker({
    taskQueue: uniqueName('cookbook'),
    storeUrl,
    workflows: path.join(repo.dir, 'workflows'),
    activities: path.join(repo.dir, 'activities'),
  });
  ({ client, close } = await testClient(storeUrl));
});
after(async () => {
  await close?.();
  await worker?.stop();
  if (repo) rmSync(repo.dir, { recursive: true, force: true });
});

async function run(flow: string, parameters: Record<string, unknown> = {}) {
  const ref = await client.start(flow, parameters, { startedBy: 'test:cookbook' });
  return { ref, result: (await client.waitForResult(ref)) as any };
}

/** What each recipe promises. A flow added to the page without a line here fails the first test. */
const recipes: Record<string, () => Promise<void>> = {
  async rainfallAllStations() {
    // 45 stations: three batches of at most 20.
    const stations = Array.from({ length: 45 }, (_, i) => `Station${String.fromCharCode(65 + Math.floor(i / 26), 65 + (i % 26))}`);
    const { result } = await run('rainfallAllStations', { stations });
    assert.deepEqual(Object.keys(result).sort(), [...stations].sort());
    assert.ok(Object.values(result).every((mm) => typeof mm === 'number'));
  },
  async waitForFile() {
    const file = path.join(freshTmpDir('cookbook-file'), 'readings.csv');
    const ref = await client.start('waitForFile', { path: file, everyMinutes: 0.01 }, { startedBy: 'test:cookbook' });
    // The run checks, finds nothing and waits on its timer; only then does the file arrive.
    await eventually(async () => (await client.readLogs({ runId: ref.runId })).some((l) => l.message === 'not there yet'), 30_000, "'not there yet'");
    writeFileSync(file, 'day,mm\n1,3\n2,5\n');
    const result = (await client.waitForResult(ref)) as { lines: number; checks: number };
    assert.equal(result.lines, 3);
    assert.ok(result.checks >= 2, `found at check ${result.checks}`);
  },
  async rainfallByDeadline() {
    const { result } = await run('rainfallByDeadline', { stations: ['DeBilt', 'Eelde'] });
    assert.equal(result.complete, true);
    assert.deepEqual(Object.keys(result.totals).sort(), ['DeBilt', 'Eelde']);
    // A station that fails for good is counted, not waited for until the deadline.
    const partial = await run('rainfallByDeadline', { stations: ['DeBilt', 'No-where'], deadlineMinutes: 60 });
    assert.deepEqual(partial.result, { complete: false, totals: { DeBilt: partial.result.totals.DeBilt } });
  },
  async stationReport() {
    const { result } = await run('stationReport', { station: 'Eelde' });
    assert.equal(result.station, 'Eelde');
    assert.equal(result.plausible, true);
  },
  async regionReport() {
    const { ref, result } = await run('regionReport', { stations: ['DeBilt', 'Eelde', 'Twenthe'] });
    assert.deepEqual(result.reports.map((r: { station: string }) => r.station), ['DeBilt', 'Eelde', 'Twenthe']);
    // Each child is a Sluice run of its own: the runs list finds it by flow and by who started it.
    const children = await eventually(async () => {
      const { runs } = await client.listRuns({ flow: 'stationReport', startedBy: `flow:${ref.workflowId}` });
      return runs.length === 3 && runs;
    }, 30_000, 'three child runs in the runs list');
    assert.ok(children.every((r) => r.status === 'completed' && r.workflowId.startsWith(`${ref.workflowId}.stationReport.`)));
    // A child that fails makes the parent's await throw; uncaught, it fails the parent's run.
    await assert.rejects(run('regionReport', { stations: ['DeBilt', 'Atlantis?'] }), RunFailedError);
  },
  async dailyTotals() {
    const { ref, result } = await run('dailyTotals', { station: 'Twenthe' });
    assert.equal(result.station, 'Twenthe');
    // A new run takes the patched branch: the plausibility task ran.
    const detail = await client.getRun(ref.workflowId, ref.runId);
    assert.ok(detail!.tasks.some((t) => t.task === 'checkPlausible'), 'checkPlausible ran');
  },
  async rainfallBestEffort() {
    const { ref, result } = await run('rainfallBestEffort');
    assert.deepEqual(result.skipped, ['Atlantis?']);
    assert.deepEqual(Object.keys(result.totals), ['DeBilt', 'Eelde']);
    const lines = await eventually(async () => {
      const l = await client.readLogs({ runId: ref.runId });
      return l.some((x) => x.message === 'skipping an unknown station') && l;
    }, 15_000, 'the warning line');
    assert.ok(lines.some((l) => l.level === 'warn' && l.message === 'skipping an unknown station'));
    // Non-retryable: one attempt for the unknown station.
    const detail = await client.getRun(ref.workflowId, ref.runId);
    const attempts = detail!.tasks.filter((t) => t.task === 'fetchRainfall' && t.status === 'failed');
    assert.equal(attempts.length, 1);
    assert.equal(attempts[0]!.attempts, 1);
    const failed = await client.start('rainfallBestEffort', { stations: ['Atlantis?'] });
    const err = await client.waitForResult(failed).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof RunFailedError, String(err));
    assert.equal(err.failure!.message, 'none of Atlantis? is a station');
  },
  async stationStatistics() {
    const ref = await client.start('stationStatistics', {});
    const err = await client.waitForResult(ref).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof RunFailedError, String(err));
    assert.match(err.failure!.message, /station_statistics/);
    assert.match(err.failure!.message, /hydrology/);
  },
};

describe('the flow cookbook (docs/cookbook.md)', () => {
  it('has a check here for every flow the page declares', () => {
    assert.deepEqual([...repo.flows].sort(), Object.keys(recipes).sort());
  });
  for (const [flow, check] of Object.entries(recipes)) it(`runs ${flow} as the page says`, check);
});
