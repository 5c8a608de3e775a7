// Runs a new deploy cannot carry, end to end through the worker API: a real web app, store, Temporal and two
// workers in remote mode (a worker token, no database URL). The new code's worker reports the run it cannot
// replay (POST /api/worker/v1/replay-findings); the home page's "needs attention" and the run's page say so in
// Chromium (axe-clean); the route refuses other queues' runs and bad bodies (4xx, nothing written).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@temporalio/client';
import type { Browser, BrowserContext } from 'playwright-core';
import type { RunRef, SluiceClient } from 'sluice/client';
import type { Store } from 'sluice/internal/store';
import { createApiToken } from '../../web/lib/auth/tokens';
import { temporalNamespace } from '../harness/env';
import { eventually } from '../harness/eventually';
import { FIXTURES, testClient } from '../harness/sluice';
import { testConnection, uniqueName } from '../harness/temporal';
import { startWorker, waitForOutput } from '../harness/worker';
import { launchBrowser, loggedInContext, startWebApp, type WebApp } from './harness';
import { axeViolations } from './page-checks';

const version = (v: number) => ({ workflows: path.resolve(__dirname, `../fixtures/replay/meter-v${v}.ts`), activities: FIXTURES.activities });
const queue = uniqueName('replay-web');
const other = uniqueName('replay-other');

let app: WebApp;
let client: SluiceClient;
let store: Store;
let temporal: Client;
let browser: Browser;
let viewer: BrowserContext;
let token = '';
let run: RunRef;
const closers: (() => Promise<unknown>)[] = [];

const post = (body: unknown) =>
  app.fetch('/api/worker/v1/replay-findings', { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

before(async () => {
  app = await startWebApp();
  let close: () => Promise<void>;
  ({ client, store, close } = await testClient(app.storeUrl));
  closers.push(close);
  const connection = await testConnection();
  closers.push(() => connection.close());
  temporal = new Client({ connection, namespace: temporalNamespace() });
  ({ token } = await createApiToken(store.db, { name: 'replay-worker', role: 'worker', taskQueues: [queue], createdBy: null }));
  const remote = { url: app.baseUrl, token };

  const v1 = await startWorker({ taskQueue: queue, storeUrl: app.storeUrl, remote, ...version(1) });
  run = await client.start('meterReadings', {}, { workflowId: uniqueName('meter') });
  closers.unshift(() => temporal.workflow.getHandle(run.workflowId, run.runId).terminate('test over').catch(() => undefined));
  await eventually(async () => (await temporal.workflow.getHandle(run.workflowId, run.runId).fetchHistory()).events?.some((e) => e.timerStartedEventAttributes), 30_000, 'the run to wait on its timer');
  await v1.stop();
  // The new code, deployed while the run waits.
  const v2 = await startWorker({ taskQueue: queue, storeUrl: app.storeUrl, remote, ...version(2) });
  closers.unshift(() => v2.stop());
  await waitForOutput(v2, /replay: 1 open run\(s\) of task queue .* checked on this code, 1 cannot continue/);
  browser = await launchBrowser();
  closers.unshift(() => browser.close());
  viewer = await loggedInContext(browser, app, 'viewer');
});

after(async () => {
  for (const close of closers) await close();
  await app?.stop();
});

describe('a run the new code cannot carry', () => {
  test('reaches the store through the worker API, from a worker that holds no database URL', async () => {
    const [finding] = await store.replayFindings({ runId: run.runId });
    assert.equal(finding?.taskQueue, queue);
    assert.equal(finding?.flow, 'meterReadings');
    assert.match(finding!.reason, /[Nn]ondeterminism/);
  });

  test('the home page lists it under "needs attention", linked to the run', async () => {
    const page = await viewer.newPage();
    await page.goto(`${app.baseUrl}/`);
    const item = page.getByTestId('needs-attention').getByTestId('replay-finding').filter({ hasText: run.workflowId });
    assert.match(await item.innerText(), new RegExp(`meterReadings · ${run.workflowId} cannot continue on the new code of task queue ${queue}: fix it with patched\\(\\) or keep the old version serving it`));
    assert.deepEqual(await axeViolations(page), []);
    await item.getByRole('link', { name: new RegExp(run.workflowId) }).click();
    await page.waitForURL((url) => url.pathname.endsWith(`/${encodeURIComponent(run.runId)}`));
    await page.close();
  });

  test("the run's page says why and how to fix it", async () => {
    const page = await viewer.newPage();
    await page.goto(`${app.baseUrl}/runs/${encodeURIComponent(run.workflowId)}/${encodeURIComponent(run.runId)}`);
    const panel = page.getByTestId('replay-finding');
    const text = await panel.innerText();
    assert.match(text, new RegExp(`This run cannot continue on the new code of task queue ${queue}`));
    assert.match(text, /patched\(\)[\s\S]*keep the old version of the worker serving it/);
    assert.match(text, /[Nn]ondeterminism/);
    assert.deepEqual(await axeViolations(page), []);
    await page.close();
  });
});

describe('POST /api/worker/v1/replay-findings', () => {
  test("refuses a finding about another queue's run, naming it, and writes nothing", async () => {
    const theirs = await temporal.workflow.start('anyFlow', { taskQueue: other, workflowId: uniqueName('theirs') });
    closers.unshift(() => theirs.terminate('test over').catch(() => undefined));
    const res = await post({ taskQueue: queue, worker: 'w@h', findings: [{ workflowId: theirs.workflowId, runId: theirs.firstExecutionRunId, flow: 'anyFlow', reason: 'forged' }] });
    assert.equal(res.status, 403);
    const { error } = (await res.json()) as { error: { message: string; runs: unknown[] } };
    assert.match(error.message, /may report replay findings only for runs on its task queue/);
    assert.deepEqual(error.runs, [{ workflowId: theirs.workflowId, runId: theirs.firstExecutionRunId }]);
    assert.equal((await store.replayFindings({ runId: run.runId })).length, 1, "the queue's findings are untouched");
  });

  test("refuses a queue the token does not serve, and bad bodies, by name (4xx, the queue's findings untouched)", async () => {
    const otherQueue = await post({ taskQueue: other, worker: 'w@h', findings: [] });
    assert.equal(otherQueue.status, 403);
    const missing = await post({ taskQueue: queue, findings: [] });
    assert.equal(missing.status, 400);
    assert.match(await missing.text(), /worker/);
    const empty = await post({ taskQueue: queue, worker: 'w@h', findings: [{ ...run, flow: 'meterReadings', reason: '' }] });
    assert.equal(empty.status, 400);
    assert.match(await empty.text(), /reason/);
    assert.equal((await post('{"taskQueue":')).status, 400);
    assert.equal((await store.replayFindings({ runId: run.runId })).length, 1);
  });

  test('an empty list clears the queue\'s findings (the new code carries every run it checked): the pages say nothing more', async () => {
    const res = await post({ taskQueue: queue, worker: 'w@h', findings: [] });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { stored: 0 });
    assert.deepEqual(await store.replayFindings({ runId: run.runId }), []);
    const page = await viewer.newPage();
    await page.goto(`${app.baseUrl}/runs/${encodeURIComponent(run.workflowId)}/${encodeURIComponent(run.runId)}`);
    await page.getByRole('heading', { name: 'Tasks' }).waitFor();
    assert.equal(await page.getByTestId('replay-finding').count(), 0);
    await page.close();
  });
});
