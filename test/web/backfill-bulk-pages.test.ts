/**
 * Backfill on the deployment's page and bulk actions on the runs list, in Debian's Chromium against the built app,
 * the suite's Temporal and a real worker: an operator previews a backfill (how many runs), starts it and sees
 * "n of m done" grow to the end, and cancels another as a whole; on the runs list they tick runs and cancel them,
 * then re-run all runs matching the filter after confirming, with a result per run. A viewer gets neither form.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { RunRef, SluiceClient } from 'sluice/client';
import { eventually } from '../harness/eventually';
import { FIXTURES } from '../harness/sluice';
import { uniqueName } from '../harness/temporal';
import { loggedInContext, type WebApp } from './harness';
import { startBrowserStack, type BrowserStack } from './browser-stack';
import { axeViolations } from './page-checks';

let app: WebApp;
let browser: Browser;
let client: SluiceClient;
let stack: BrowserStack;

before(async () => {
  stack = await startBrowserStack({ taskQueue: uniqueName('backfill-pages'), workflows: path.resolve(__dirname, '../fixtures/backfill-flows.ts'), activities: FIXTURES.activities });
  ({ app, client, browser } = stack);
});

after(async () => {
  await stack?.stop();
});

describe('backfill on the deployment page', () => {
  test('an operator previews, starts and follows a backfill, and cancels another as a whole; a viewer has no form', async () => {
    const context = await loggedInContext(browser, app, 'operator');
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/flows/dailyImport`);
    const daily = page.locator('[data-deployment="daily"]');
    await daily.getByText('Backfill: run every slot of a past range…').click();
    const form = page.getByTestId('backfill-form-daily');
    await form.getByLabel('From (UTC)').fill('2025-03-01');
    await form.getByLabel('To (UTC, included)').fill('2025-03-03');
    await form.getByRole('button', { name: 'Preview' }).click();
    await form.getByRole('status').filter({ hasText: '3 runs' }).waitFor();
    assert.match(await form.getByRole('status').innerText(), /^3 runs, for 2025-03-01T06:00:00\.000Z … 2025-03-03T06:00:00\.000Z, one at a time\.$/);
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the flow page with the backfill form');

    await form.getByRole('button', { name: 'Start backfill' }).click();
    await eventually(async () => !/^3 runs, for/.test(await form.getByRole('status').innerText()), 20_000, 'the start answered');
    assert.equal(await form.getByRole('status').innerText(), 'Backfill started: 3 runs.');
    // The page refreshes itself while the backfill runs: its progress line reaches the end.
    const progress = daily.getByTestId('backfill-progress').first();
    await progress.filter({ hasText: /^3 of 3 done$/ }).waitFor({ timeout: 30_000 });
    await daily.locator('.backfills .badge', { hasText: 'completed' }).first().waitFor({ timeout: 10_000 });

    // 24 slots of 1.5 s, one at a time would take long: cancelled as a whole from the page.
    const hourly = page.locator('[data-deployment="hourly"]');
    await hourly.getByText('Backfill: run every slot of a past range…').click();
    const hourlyForm = page.getByTestId('backfill-form-hourly');
    await hourlyForm.getByLabel('From (UTC)').fill('2025-03-01');
    await hourlyForm.getByLabel('To (UTC, included)').fill('2025-03-01');
    await hourlyForm.getByLabel('At once').fill('2');
    await hourlyForm.getByRole('button', { name: 'Start backfill' }).click();
    await hourlyForm.getByRole('status').filter({ hasText: 'Backfill started: 24 runs.' }).waitFor();
    await hourly.getByRole('button', { name: /^Cancel backfill/ }).click();
    await hourly.locator('.backfills .badge', { hasText: 'cancelled' }).waitFor({ timeout: 30_000 });
    const line = await hourly.getByTestId('backfill-progress').innerText();
    const [, done] = /^(\d+) of 24 done/.exec(line) ?? [];
    assert.ok(Number(done) < 24, `stopped early: ${line}`);
    await context.close();

    const viewer = await loggedInContext(browser, app, 'viewer');
    const viewerPage = await viewer.newPage();
    await viewerPage.goto(`${app.baseUrl}/flows/dailyImport`);
    await viewerPage.locator('[data-deployment="daily"] [data-testid="backfill-progress"]').first().waitFor();
    assert.equal(await viewerPage.getByText('Backfill: run every slot of a past range…').count(), 0, 'no backfill form for a viewer');
    assert.equal(await viewerPage.getByRole('button', { name: /Cancel backfill/ }).count(), 0);
    await viewer.close();
  });
});

describe('bulk actions on the runs list', () => {
  test('an operator cancels the ticked runs, then all matching the filter after confirming, and re-runs one; a result per run', async () => {
    const marker = uniqueName('user:bulk');
    const runs: RunRef[] = [];
    for (let i = 0; i < 3; i++) runs.push(await client.startDeployment('dailyImport', 'manual', { parameters: { holdMs: 600_000 }, startedBy: marker }));
    const listUrl = `${app.baseUrl}/runs?startedBy=${encodeURIComponent(marker)}`;
    const context = await loggedInContext(browser, app, 'operator');
    const page = await context.newPage();
    await eventually(async () => {
      await page.goto(listUrl);
      return (await page.locator('[data-testid="runs-table"] tbody tr').count()) === 3;
    }, 20_000, 'the three runs listed');
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the runs list with select boxes');

    await page.getByLabel(`Select run ${runs[0]!.workflowId}`).check();
    await page.getByLabel(`Select run ${runs[1]!.workflowId}`).check();
    const bulk = page.getByTestId('bulk-actions');
    await bulk.getByRole('button', { name: 'Cancel runs' }).click();
    await bulk.getByRole('status').filter({ hasText: 'Cancel: 2 of 2 done.' }).waitFor();
    assert.equal(await bulk.locator('[data-result="ok"]').count(), 2);
    assert.match(await bulk.locator(`[data-run="${runs[0]!.workflowId}"]`).innerText(), /Cancellation requested/);
    await eventually(async () => (await client.getRunSummary(runs[1]!.workflowId, runs[1]!.runId))?.status === 'cancelled', 20_000, 'the ticked runs cancelled');
    assert.equal((await client.getRunSummary(runs[2]!.workflowId, runs[2]!.runId))?.status, 'running', 'the unticked run runs on');

    // All three match the filter; the one still running is cancelled, the two cancelled ones say why not.
    await page.goto(listUrl);
    await bulk.getByText(/all 3 matching this filter/).click();
    page.once('dialog', (dialog) => {
      assert.equal(dialog.message(), 'Cancel all 3 runs matching this filter?');
      void dialog.accept();
    });
    await bulk.getByRole('button', { name: 'Cancel runs' }).click();
    await bulk.getByRole('status').filter({ hasText: 'Cancel: 1 of 3 done.' }).waitFor();
    assert.equal(await bulk.locator('[data-result="failed"]').count(), 2);
    assert.match(await bulk.locator('[data-result="failed"]').first().innerText(), /Not running \(it cancelled\): nothing to cancel/);

    await page.goto(listUrl);
    await page.getByLabel(`Select run ${runs[0]!.workflowId}`).check();
    await bulk.getByRole('button', { name: 'Re-run' }).click();
    await bulk.getByRole('status').filter({ hasText: 'Re-run: 1 of 1 done.' }).waitFor();
    const again = await bulk.getByRole('link', { name: 'the new run' }).getAttribute('href');
    const [, workflowId, runId] = /^\/runs\/([^/]+)\/([^/]+)$/.exec(again ?? '') ?? [];
    const rerun = await client.getRunSummary(decodeURIComponent(workflowId!), runId);
    assert.equal(rerun?.status, 'running', 'the re-run started');
    await client.cancelRun(rerun!);
    await context.close();

    const viewer = await loggedInContext(browser, app, 'viewer');
    const viewerPage = await viewer.newPage();
    await viewerPage.goto(listUrl);
    await viewerPage.locator('[data-testid="runs-table"]').waitFor();
    assert.equal(await viewerPage.getByTestId('bulk-actions').count(), 0, 'no bulk form for a viewer');
    assert.equal(await viewerPage.locator('[data-testid="runs-table"] input[type="checkbox"]').count(), 0, 'no select boxes');
    await viewer.close();
  });
});
