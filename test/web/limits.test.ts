/**
 * A run waiting for a slot of a concurrency limit, on the real app (`next start`), the suite's Temporal, a real
 * worker and Debian's Chromium: the runs list (filtered to runs waiting for a slot) shows it as waiting, with the
 * limit it waits for; its page says which limit, how many slots are in use and by which run; the API lists and
 * describes it the same way and refuses an unknown `waiting` filter (400). When the holder is cancelled, the
 * waiting run runs and its page says it completed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { RunDetail, RunRef, RunSummary, SluiceClient } from 'sluice/client';
import { eventually } from '../harness/eventually';
import { LIMIT_FIXTURES } from '../harness/sluice';
import { uniqueName } from '../harness/temporal';
import { loggedInContext, type WebApp } from './harness';
import { startBrowserStack, type BrowserStack } from './browser-stack';
import { axeViolations } from './page-checks';

let app: WebApp;
let browser: Browser;
let client: SluiceClient;
let stack: BrowserStack;

before(async () => {
  stack = await startBrowserStack({ taskQueue: uniqueName('limits-web'), ...LIMIT_FIXTURES });
  ({ app, client, browser } = stack);
});

after(async () => {
  await stack?.stop();
});

const runPage = (ref: RunRef) => `${app.baseUrl}/runs/${encodeURIComponent(ref.workflowId)}/${encodeURIComponent(ref.runId)}`;

describe('a run waiting for a slot', () => {
  test('is shown as waiting, with what it waits for, in the runs list, on its page and through the API; it runs once the holder is cancelled', async () => {
    const basin = uniqueName('rhine');
    const key = `flow:reservoirModel:${basin}`;
    const holder = await client.start('reservoirModel', { basin, ms: 120_000 });
    await eventually(async () => (await client.getRun(holder.workflowId, holder.runId))?.tasks.some((t) => t.status === 'running'), 20_000, 'the holder running its task');
    const waiter = await client.start('reservoirModel', { basin, ms: 10 });

    // The API: listed among runs waiting for a slot, and described with the limit's state.
    const listed = await eventually(async () => {
      const res = await app.fetch('/api/runs?waiting=slot', { as: 'viewer' });
      const { runs } = (await res.json()) as { runs: RunSummary[] };
      return runs.find((r) => r.runId === waiter.runId);
    }, 20_000, 'the waiting run in GET /api/runs?waiting=slot');
    assert.equal(listed.status, 'running');
    assert.deepEqual(listed.waitingFor?.map((w) => [w.kind, w.key, w.limit]), [['concurrency', key, 1]]);
    const detail = await eventually(async () => {
      const run = (await (await app.fetch(`/api/runs/${encodeURIComponent(waiter.workflowId)}`, { as: 'viewer' })).json()) as RunDetail;
      return run.limits[0]?.holders[0]?.workflowId === holder.workflowId && run;
    }, 10_000, 'GET /api/runs/{id} naming the holder');
    assert.equal(detail.limits[0]?.inUse, 1);
    const bad = await app.fetch('/api/runs?waiting=forever', { as: 'viewer' });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /waiting.*must be input .* or slot/);

    const context = await loggedInContext(browser, app, 'viewer');
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/runs?waiting=slot`);
    const row = page.locator(`tr[data-run="${waiter.workflowId}"]`);
    await row.waitFor();
    assert.equal(await row.locator('[data-status]').getAttribute('data-status'), 'waiting', 'listed as waiting, not running');
    assert.equal(await row.getByTestId('waiting-for-slot').innerText(), `waiting for a slot: ${key}`);
    assert.equal(await page.locator(`tr[data-run="${holder.workflowId}"]`).count(), 0, 'the holder runs: it waits for nothing');

    await page.goto(runPage(waiter));
    assert.equal(await page.locator('h1 [data-status]').getAttribute('data-status'), 'waiting');
    const wait = page.getByTestId('slot-wait');
    assert.match(await wait.innerText(), new RegExp(`The run of flow reservoirModel waits for ${key} \\(1 at once\\): 1 of 1 in use, by ${holder.workflowId}; 1 waiting, this run included\\.`));
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the waiting run page');

    // The holder is cancelled: its slot goes to the waiting run, and the page (refreshing by itself) says so.
    await client.cancelRun(holder);
    await page.locator('h1 [data-status="completed"]').waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId('slot-waits').count(), 0, 'nothing to wait for any more');
    await context.close();
  });
});
