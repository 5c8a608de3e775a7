/**
 * The pages in a real browser (Debian's Chromium via playwright-core) against the real app (`next start`), the
 * suite's Temporal and a real worker serving the pages fixtures: log in, start a run from the generated form and
 * watch it finish with its logs, field errors, cancel, pause a schedule, what a viewer may not do, and the log
 * viewer holding 100,000 lines. Also the pages' internal endpoints (/api/ui/…), which refuse anonymous callers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { openStore } from 'sluice/internal/store';
import { startWorker, type TestWorker } from '../harness/worker';
import { launchBrowser, loggedInContext, loginInBrowser, startWebApp, type WebApp } from './harness';

const FIXTURES = path.join(__dirname, 'pages-fixtures');

let app: WebApp;
let worker: TestWorker;
let browser: Browser;
let operator: BrowserContext;
let viewer: BrowserContext;
/** A finished run of pagesReport, started in the first test; later tests read it. */
let finishedRunUrl = '';

before(async () => {
  app = await startWebApp();
  worker = await startWorker({ taskQueue: 'pages-browser', storeUrl: app.storeUrl, workflows: path.join(FIXTURES, 'flows.ts'), activities: path.join(FIXTURES, 'tasks.ts') });
  browser = await launchBrowser();
  operator = await loggedInContext(browser, app, 'operator');
  viewer = await loggedInContext(browser, app, 'viewer');
});

after(async () => {
  await browser?.close();
  await worker?.stop();
  await app?.stop();
});

/** A page that fails the test on any uncaught error in the browser. */
async function open(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (err) => assert.fail(`uncaught error in the page: ${err.message}`));
  await page.goto(new URL(url, app.baseUrl).toString());
  return page;
}

const runPath = /\/runs\/[^/]+\/[^/?#]+$/;

describe('pages', () => {
  test('without a session a page redirects to the log-in page', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/flows/pagesReport`);
    await page.waitForURL(/\/login/);
    assert.equal(new URL(page.url()).searchParams.get('next'), '/flows/pagesReport');
    await context.close();
  });

  test('an operator starts a run from the generated form and watches it finish with its logs', async () => {
    const page = await open(operator, '/flows');
    await page.locator('[data-flow="pagesReport"]').getByRole('link', { name: 'Run…' }).click();
    await page.waitForURL(/\/flows\/pagesReport\/run$/);
    await page.locator('[data-testid="run-form"][data-ready]').waitFor(); // hydrated: typed values stay
    // The form is the flow's schema: a choice, numbers with their defaults, a list, JSON.
    assert.deepEqual(await page.locator('#field-station option').allTextContents(), ['Choose…', 'north', 'south']);
    assert.equal(await page.locator('#field-days').inputValue(), '3');
    await page.locator('#field-station').selectOption('south');
    await page.locator('#field-days').fill('3');
    await page.locator('#field-stepMs').fill('1500');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(runPath, { timeout: 30_000 });
    finishedRunUrl = new URL(page.url()).pathname;

    const logBox = page.locator('.log-view');
    const boxBefore = await logBox.boundingBox();
    // Live: the first task's line arrives while the run is still running.
    await page.getByText('processing day 1').waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('h1 [data-status]').getAttribute('data-status'), 'running', 'seen live, before the run ended');
    await page.locator('h1 [data-status="completed"]').waitFor({ timeout: 30_000 });
    await page.getByText('report done').waitFor({ timeout: 10_000 });
    assert.match(await page.getByTestId('run-result').innerText(), /"total": 60/);
    assert.equal(await page.locator('[data-testid="task-timeline"] [data-task="pagesStep"]').count(), 3);
    assert.match(await page.locator('dl.facts').innerText(), /operator@sluice\.test/);
    assert.match((await page.getByTestId('temporal-web-link').getAttribute('href')) ?? '', /\/workflows\/pagesReport-[^/]+\/[0-9a-f-]+\/history$/);
    const boxAfter = await logBox.boundingBox();
    assert.equal(boxAfter?.height, boxBefore?.height, 'the log box keeps its size as lines arrive');
    // The level filter keeps only warnings and errors: this run wrote none.
    await page.getByLabel('Lowest level shown').selectOption('warn');
    await page.getByText('No line matches these filters.').waitFor();
    await page.close();
  });

  test('bad input shows an error beside its field and starts nothing; the server checks again', async () => {
    const page = await open(operator, '/flows/pagesReport/run');
    await page.locator('#field-station').selectOption('north');
    await page.locator('#field-days').fill('99');
    await page.getByRole('button', { name: 'Start run' }).click();
    const daysError = page.locator('[data-field="days"] .error');
    await daysError.waitFor();
    assert.equal(await daysError.innerText(), 'Must be at most 30.');
    assert.match(page.url(), /\/flows\/pagesReport\/run$/, 'still on the form');

    // Valid for the browser (it is JSON), wrong for the flow's schema: only the server can tell.
    await page.locator('#field-days').fill('2');
    await page.locator('#field-options').fill('{"depth": "deep"}');
    await page.getByRole('button', { name: 'Start run' }).click();
    const optionsError = page.locator('[data-field="options"] .error');
    await optionsError.waitFor({ timeout: 15_000 });
    assert.match(await optionsError.innerText(), /depth/);
    assert.match(await page.getByTestId('form-error').innerText(), /refused these parameters/);
    assert.match(page.url(), /\/flows\/pagesReport\/run$/);
    await page.close();
  });

  test('an operator cancels a running run', async () => {
    const page = await open(operator, '/flows/pagesWait/run');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(runPath, { timeout: 30_000 });
    await page.getByText('still waiting, 0 s').waitFor({ timeout: 20_000 });

    // The runs list shows it running, and keeps itself up to date.
    const list = await open(operator, '/runs?flow=pagesWait&status=running');
    const workflowId = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]);
    await list.locator(`tr[data-run="${workflowId}"]`).waitFor();
    assert.equal(await list.locator('[data-auto-refresh]').count(), 1);

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.locator('h1 [data-status="cancelled"]').waitFor({ timeout: 30_000 });
    assert.equal(await page.getByRole('button', { name: 'Cancel run' }).count(), 0);
    // The list drops it from the running runs by itself.
    await list.locator(`tr[data-run="${workflowId}"]`).waitFor({ state: 'detached', timeout: 30_000 });
    await list.close();
    await page.close();
  });

  test('an operator pauses a schedule with a note, then resumes it', async () => {
    const page = await open(operator, '/flows/pagesReport');
    const nightly = page.locator('[data-deployment="nightly"]');
    assert.equal(await nightly.getByTestId('schedule-words').innerText(), 'At 03:00 (Europe/Amsterdam)');
    assert.ok((await nightly.locator('.next-runs li').count()) > 0, 'next run times are listed');
    await nightly.getByLabel('Note for nightly').fill('gauge maintenance');
    await nightly.getByRole('button', { name: 'Pause' }).click();
    await nightly.locator('[data-testid="deployment-state"]', { hasText: 'Paused' }).waitFor({ timeout: 15_000 });
    assert.equal(await nightly.getByTestId('pause-note').innerText(), 'Note: gauge maintenance (operator@sluice.test)');
    await nightly.getByRole('button', { name: 'Resume' }).click();
    await nightly.locator('[data-testid="deployment-state"]', { hasText: 'Active' }).waitFor({ timeout: 15_000 });
    // A deployment without a schedule has nothing to pause.
    assert.equal(await page.locator('[data-deployment="by-hand"]').getByRole('button', { name: 'Pause' }).count(), 0);
    await page.close();
  });

  test('a viewer reads but is offered no action, and is refused the run form', async () => {
    assert.ok(finishedRunUrl, 'the first test left a run');
    const run = await open(viewer, finishedRunUrl);
    await run.locator('h1 [data-status="completed"]').waitFor();
    assert.equal(await run.getByTestId('run-actions').count(), 0);
    const flows = await open(viewer, '/flows');
    assert.equal(await flows.getByRole('link', { name: 'Run…' }).count(), 0);
    assert.equal(await flows.getByRole('button', { name: 'Pause' }).count(), 0);
    const response = await flows.goto(`${app.baseUrl}/flows/pagesReport/run`);
    assert.equal(response?.status(), 403);
    await run.close();
    await flows.close();
  });

  test("a server action checks the caller's role itself, whatever page sent it", async () => {
    // An operator's form, submitted after the session has become a viewer's: the action must refuse.
    const context = await loggedInContext(browser, app, 'operator');
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/flows/pagesReport/run`);
    await page.locator('#field-station').selectOption('north');
    await context.clearCookies();
    const other = await context.newPage();
    await loginInBrowser(other, app, 'viewer');
    await other.close();
    await page.getByRole('button', { name: 'Start run' }).click();
    const error = page.getByTestId('form-error');
    await error.waitFor({ timeout: 15_000 });
    assert.match(await error.innerText(), /needs the operator role/);
    await context.close();
  });

  test('100,000 log lines stay usable: newest first on screen, earlier on request, only visible rows drawn', async () => {
    const [, , workflowId, runId] = finishedRunUrl.split('/').map(decodeURIComponent);
    const store = await openStore(app.storeUrl);
    try {
      for (let start = 0; start < 100_000; start += 10_000) {
        await store.insertLogs(
          Array.from({ length: 10_000 }, (_, k) => ({ time: Date.now(), level: 'info' as const, message: `bulk line ${start + k}`, workflowId, runId, task: 'bulk' })),
        );
      }
    } finally {
      await store.close();
    }
    const started = Date.now();
    const page = await open(operator, finishedRunUrl);
    await page.getByText('bulk line 99999').waitFor({ timeout: 20_000 });
    const loadMs = Date.now() - started;
    assert.match(await page.locator('.log-toolbar .status').innerText(), /^1,000 lines/);
    const drawn = await page.locator('.log-line').count();
    assert.ok(drawn > 10 && drawn < 150, `only the rows in view are in the page (${drawn})`);
    await page.locator('.log-view').evaluate((el) => (el.scrollTop = 0));
    await page.getByRole('button', { name: 'Load 1,000 earlier lines' }).click();
    await page.locator('.log-toolbar .status', { hasText: '2,000 lines' }).waitFor();
    await page.getByLabel('Search the logs').fill('bulk line 4242');
    await page.locator('.log-line', { hasText: 'bulk line 42420' }).waitFor();
    assert.ok(loadMs < 15_000, `the page showed the newest lines in ${loadMs} ms`);
    await page.close();
  });
});

describe('a run whose workflow id needs encoding', () => {
  test('its page, its latest-run link and its log feed all find it', async () => {
    const { testClient } = await import('../harness/sluice');
    const { client, close } = await testClient(app.storeUrl);
    try {
      const workflowId = 'odd id: 50% rain/snow';
      const ref = await client.start('pagesReport', { station: 'north', days: 1, stepMs: 0 }, { startedBy: 'user:operator@sluice.test', workflowId });
      await client.waitForResult(ref);
      const page = await open(operator, `/runs/${encodeURIComponent(workflowId)}`);
      await page.waitForURL(runPath);
      assert.equal(decodeURIComponent(new URL(page.url()).pathname.split('/')[3]), ref.runId, 'the latest run of that id');
      await page.locator('h1 [data-status="completed"]').waitFor();
      assert.match(await page.locator('.subtitle.mono').innerText(), /odd id: 50% rain\/snow/);
      await page.getByText('report done').waitFor({ timeout: 15_000 });
      await page.close();
    } finally {
      await close();
    }
  });
});

describe("the pages' internal endpoints", () => {
  const ref = () => finishedRunUrl.split('/').slice(2).join('/');

  test('the live log feed answers a logged-in user, and refuses anonymous callers and bad queries', async () => {
    const anonymous = await app.fetch(`/api/ui/runs/${ref()}/logs`);
    assert.equal(anonymous.status, 401);
    assert.equal(((await anonymous.json()) as { error: { code: string } }).error.code, 'unauthorized');

    const page = await app.fetch(`/api/ui/runs/${ref()}/logs?search=report%20done`, { as: 'viewer' });
    assert.equal(page.status, 200);
    const { lines } = (await page.json()) as { lines: { id: number; message: string; level: string }[] };
    assert.deepEqual(lines.map((l) => l.message), ['report done']);

    const after = await app.fetch(`/api/ui/runs/${ref()}/logs?afterId=${lines[0].id}&limit=5`, { as: 'viewer' });
    const next = ((await after.json()) as { lines: { id: number }[] }).lines;
    assert.ok(next.length === 5 && next.every((l) => l.id > lines[0].id));

    const bad = await app.fetch(`/api/ui/runs/${ref()}/logs?minLevel=loud`, { as: 'viewer' });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /minLevel/);
  });

  test('the download streams every line as a file', async () => {
    assert.equal((await app.fetch(`/api/ui/runs/${ref()}/logs/download`)).status, 401);
    const res = await app.fetch(`/api/ui/runs/${ref()}/logs/download?search=bulk`, { as: 'viewer' });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="pagesReport-.*\.log"$/);
    const text = await res.text();
    assert.equal(text.trimEnd().split('\n').length, 100_000);
    const ndjson = await app.fetch(`/api/ui/runs/${ref()}/logs/download?format=ndjson&minLevel=info&search=report`, { as: 'viewer' });
    assert.equal(ndjson.headers.get('content-type'), 'application/x-ndjson; charset=utf-8');
    const records = (await ndjson.text()).trimEnd().split('\n').map((l) => JSON.parse(l) as { message: string });
    assert.deepEqual(records.map((r) => r.message), ['report started', 'report done']);
    assert.equal((await app.fetch(`/api/ui/runs/${ref()}/logs/download?format=xml`, { as: 'viewer' })).status, 400);
  });
});
