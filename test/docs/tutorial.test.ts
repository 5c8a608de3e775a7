// docs/tutorial.md as a newcomer follows it: its task, Python task and flow copied as the page shows them,
// served the way its step 6 runs them — a TypeScript worker and a Python worker, each a client of a running
// web app with a worker token of its own (the Python one on `rain-flows-python`, as the flow calls it) — and
// the flow started with the defaults its form offers. The fan-out's four fetches and four Python tasks run,
// the result names the wettest station, and an unknown station fails the run at once with its message.
import assert from 'node:assert/strict';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { RunFailedError, type SluiceClient } from 'sluice/client';
import { startPythonWorker, workerToken } from '../harness/python';
import { testClient } from '../harness/sluice';
import { uniqueName } from '../harness/temporal';
import { startWorker, type TestWorker } from '../harness/worker';
import { startWebApp, type WebApp } from '../web/harness';
import { sampleRepository } from './markdown';

const PYTHON_QUEUE = 'rain-flows-python'; // the queue the tutorial's flow names

let repo: { dir: string; flows: string[] };
let app: WebApp;
let client: SluiceClient;
let closeClient: () => Promise<void>;
const workers: TestWorker[] = [];

before(async () => {
  repo = sampleRepository('docs/tutorial.md');
  app = await startWebApp({ seed: false });
  ({ client, close: closeClient } = await testClient(app.storeUrl));
  const flowsQueue = uniqueName('rain-flows');
  // As step 6 makes them: each token names both queues (the flows' worker reads the Python tasks' catalog).
  const [flowsToken, pythonToken] = await Promise.all([
    workerToken(app.storeUrl, [flowsQueue, PYTHON_QUEUE]),
    workerToken(app.storeUrl, [PYTHON_QUEUE, flowsQueue]),
  ]);
  workers.push(
    ...(await Promise.all([
      startWorker({
        taskQueue: flowsQueue,
        storeUrl: app.storeUrl,
        remote: { url: app.baseUrl, token: flowsToken },
        workflows: path.join(repo.dir, 'workflows'),
        activities: path.join(repo.dir, 'activities'),
      }),
      startPythonWorker({ module: path.join(repo.dir, 'activities/statistics.py'), taskQueue: PYTHON_QUEUE, sluiceUrl: app.baseUrl, token: pythonToken }),
    ])),
  );
});
after(async () => {
  // The flow's `hourly` deployment became a schedule on the suite's Temporal: it goes with the test.
  await client?.temporal.schedule.getHandle('regionRainfall.hourly').delete().catch(() => undefined);
  await Promise.all(workers.map((w) => w.stop()));
  await closeClient?.();
  await app?.stop();
  if (repo) rmSync(repo.dir, { recursive: true, force: true });
});

describe('the tutorial (docs/tutorial.md)', () => {
  it('runs its flow: four fetches side by side, then four Python tasks, the wettest station named', async () => {
    assert.deepEqual(repo.flows, ['regionRainfall']);
    const ref = await client.start('regionRainfall', {}, { startedBy: 'test:tutorial' });
    const result = (await client.waitForResult(ref)) as { wettest: string; statistics: { station: string; total: number; wet_hours: number }[] };
    assert.deepEqual(result.statistics.map((s) => s.station), ['DeBilt', 'Eelde', 'Twenthe', 'Vlissingen']);
    const top = Math.max(...result.statistics.map((s) => s.total));
    assert.equal(result.statistics.find((s) => s.station === result.wettest)!.total, top);
    const run = await client.getRun(ref.workflowId, ref.runId);
    const python = run!.tasks.filter((t) => t.task === 'station_statistics');
    assert.equal(python.length, 4);
    assert.ok(python.every((t) => t.status === 'completed' && /\(python\)$/.test(t.worker ?? '')), JSON.stringify(python));
  });

  it('fails a run with an unknown station at once, saying which', async () => {
    const ref = await client.start('regionRainfall', { stations: ['DeBilt', 'Atlantis?'] }, { startedBy: 'test:tutorial' });
    const err = await client.waitForResult(ref).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof RunFailedError, String(err));
    const run = await client.getRun(ref.workflowId, ref.runId);
    const failed = run!.tasks.find((t) => t.task === 'fetchHourly' && t.status === 'failed')!;
    assert.equal(failed.attempts, 1);
    assert.match(failed.lastFailure!.message, /no station called "Atlantis\?"/);
  });
});
