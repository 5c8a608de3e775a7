// A Python task's progress() reaching the run page and the HTTP API as a TypeScript task's does: through the log
// shipper of `python -m sluice worker` and the worker API into the store, within PROGRESS_LAG_MS of the task's own log. The real app
// (`next start`), the suite's Temporal, a TypeScript worker serving the flow, a Python worker and Debian's Chromium.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { SluiceClient, TaskRun } from 'sluice/client';
import type { Store } from 'sluice/internal/store';
import { eventually } from '../harness/eventually';
import { assertFollowsLog, openProgressBar, stepTimes } from '../harness/progress-lag';
import { startPythonWorker, venvPython, workerToken } from '../harness/python';
import { testClient } from '../harness/sluice';
import { uniqueName } from '../harness/temporal';
import { startWorker, type TestWorker } from '../harness/worker';
import { launchBrowser, startWebApp, type WebApp } from '../web/harness';

let app: WebApp;
let flows: TestWorker;
let python: TestWorker;
let pythonQueue: string;
let browser: Browser;
let client: SluiceClient;
let store: Store;
let closeClient: () => Promise<void>;

before(async () => {
  venvPython(); // made once per machine, before any start-up clock runs
  app = await startWebApp();
  pythonQueue = uniqueName('progress-py');
  const flowsQueue = uniqueName('progress-flows');
  const token = await workerToken(app.storeUrl, [pythonQueue, flowsQueue]);
  [flows, python] = await Promise.all([
    startWorker({
      taskQueue: flowsQueue,
      storeUrl: app.storeUrl,
      workflows: path.resolve(__dirname, '../fixtures/python-flows.ts'),
      activities: path.resolve(__dirname, '../fixtures/python-activities.ts'),
    }),
    startPythonWorker({ module: 'mixed_tasks', taskQueue: pythonQueue, sluiceUrl: app.baseUrl, token }),
  ]);
  ({ client, store, close: closeClient } = await testClient(app.storeUrl));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await closeClient?.();
  await Promise.all([flows?.stop(), python?.stop()]);
  await app?.stop();
});

test("a Python task's progress is on the run page and in GET /api/runs/{workflowId}, within seconds of its log", async () => {
  const steps = 120; // 18 s: long enough to outlast opening the page on a busy machine
  const ref = await client.start('pythonProgressFlow', { queue: pythonQueue, steps, stepMs: 150 });
  const { context, page } = await openProgressBar(browser, app, ref, 'count_steps', steps);
  const onPage: { at: number; done: number }[] = [];
  const inApi: { at: number; until: number; done: number }[] = [];
  await eventually(async () => {
    const shown = await page.evaluate(() => {
      const el = document.querySelector<HTMLProgressElement>('[data-task="count_steps"] progress');
      return el && { at: Date.now(), done: el.value, text: el.parentElement?.textContent ?? '' };
    });
    if (shown) {
      assert.match(shown.text, new RegExp(`^step ${shown.done} of ${steps} · \\d+%$`));
      onPage.push(shown);
    }
    const asked = Date.now();
    const run = (await (await app.fetch(`/api/runs/${encodeURIComponent(ref.workflowId)}`, { as: 'viewer' })).json()) as { tasks: TaskRun[] };
    const counting = run.tasks.find((t) => t.task === 'count_steps');
    if (counting?.progress) {
      assert.equal(counting.progress.message, `step ${counting.progress.done} of ${steps}`);
      inApi.push({ at: asked, until: Date.now(), done: counting.progress.done });
    }
    return (inApi.length >= 8 && new Set(onPage.map((s) => s.done)).size >= 4) || counting?.status === 'completed';
  }, 60_000, 'the bar and the API following the Python task');
  assert.ok(new Set(onPage.map((s) => s.done)).size >= 3, `the bar advanced: ${onPage.map((s) => s.done).join(', ')}`);
  assert.ok(new Set(inApi.map((s) => s.done)).size >= 3, `the API's progress advanced: ${inApi.map((s) => s.done).join(', ')}`);

  assert.equal(await client.waitForResult(ref), steps);
  const logged = await stepTimes(store, ref.runId, 'count_steps');
  assertFollowsLog(onPage, logged, 'the run page');
  assertFollowsLog(inApi, logged, 'GET /api/runs/{workflowId}');
  await context.close();
});
