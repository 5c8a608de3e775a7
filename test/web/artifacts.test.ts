/**
 * Artifacts, end to end: a real worker runs a flow that publishes from the flow and from its tasks; the real app
 * (`next start`) shows them on the run page in Chromium — live, a chart drawn, a table paged and downloaded as
 * CSV (formula-safe), markdown with a <script> and a javascript: link inert — and the flow page shows the latest
 * of each key. The HTTP API gives them in order (and says so in its OpenAPI document); a task that publishes more
 * than the bound fails with a message saying so, and nothing of it is stored.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RunRef, SluiceClient } from 'sluice/client';
import type { Store } from 'sluice/internal/store';
import type { StoredArtifact } from 'sluice/internal/types';
import { eventually } from '../harness/eventually';
import { uniqueName } from '../harness/temporal';
import { loggedInContext, type WebApp } from './harness';
import { startBrowserStack, type BrowserStack } from './browser-stack';

const FIXTURES = {
  workflows: path.resolve(__dirname, '../fixtures/artifact-flows.ts'),
  activities: path.resolve(__dirname, '../fixtures/artifact-tasks.ts'),
};
// Set to a folder to keep screenshots of the run page and the flow page (for a change's closing note).
const SHOTS = process.env.SLUICE_SCREENSHOTS_DIR;

let app: WebApp;
let browser: Browser;
let context: BrowserContext;
let client: SluiceClient;
let store: Store;
let stack: BrowserStack;

before(async () => {
  stack = await startBrowserStack({ taskQueue: uniqueName('artifacts'), ...FIXTURES });
  ({ app, client, store, browser } = stack);
  context = await loggedInContext(browser, app, 'viewer');
});

after(async () => {
  await stack?.stop();
});

const start = (parameters: Record<string, unknown>): Promise<RunRef> => client.start('artifactsFlow', parameters, { startedBy: 'test:artifacts' });
const runUrl = (ref: RunRef) => new URL(`/runs/${encodeURIComponent(ref.workflowId)}/${encodeURIComponent(ref.runId)}`, app.baseUrl).toString();
const artifact = (page: Page, key: string) => page.locator(`[data-testid="artifact"][data-key="${key}"]`);

async function openRunPage(ref: RunRef): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (err) => assert.fail(`uncaught error in the page: ${err.message}`));
  await page.goto(runUrl(ref));
  // Hydrated and the first read of the feed answered.
  await page.locator('[data-testid="run-artifacts"][data-loaded="true"]').waitFor({ timeout: 30_000 });
  return page;
}

describe('artifacts on the run page', () => {
  let ref: RunRef;
  let page: Page;

  before(async () => {
    // Paused long enough that the page is open before the last artifact is published.
    ref = await start({ label: 'first', rows: 120, pauseMs: 12_000 });
    page = await openRunPage(ref);
  });
  after(() => page?.close());

  test('they appear live, in the order they were published, with their titles', async () => {
    await artifact(page, 'pixel').waitFor({ timeout: 30_000 });
    // The flow's last one comes after the pause, without a reload.
    await page.evaluate(() => ((window as { __sameDocument?: boolean }).__sameDocument = true));
    assert.equal(await artifact(page, 'late-levels').count(), 0, 'not published yet while the task pauses');
    await artifact(page, 'late-levels').waitFor({ timeout: 30_000 });
    assert.equal(await page.evaluate(() => (window as { __sameDocument?: boolean }).__sameDocument), true, 'the page was not reloaded');
    const keys = await page.locator('[data-testid="run-artifacts"] [data-testid="artifact"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-key')));
    assert.deepEqual(keys, ['notes', 'daily-totals', 'rain-line', 'source', 'pixel', 'late-levels']);
    assert.equal(await artifact(page, 'daily-totals').getByRole('heading').innerText(), 'Daily rainfall');
    assert.match(await artifact(page, 'daily-totals').innerText(), /from task publishResults/);
    assert.match(await artifact(page, 'notes').innerText(), /from the flow/);
    await client.waitForResult(ref);
  });

  test('a chart is drawn on a canvas, with its data', async () => {
    const canvas = artifact(page, 'rain-line').locator('canvas');
    assert.equal(await canvas.getAttribute('data-chart'), 'line');
    assert.equal(await canvas.getAttribute('data-points'), '120');
    assert.equal(await canvas.getAttribute('aria-label'), 'Line chart: Rainfall per day');
    // Chart.js drew on it: the canvas has a size and pixels that are not blank.
    const drawn = await canvas.evaluate((el: HTMLCanvasElement) => {
      const { data } = el.getContext('2d')!.getImageData(0, 0, el.width, el.height);
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
      return { width: el.width, height: el.height, painted };
    });
    assert.ok(drawn.width > 100 && drawn.height > 100, JSON.stringify(drawn));
    assert.ok(drawn.painted > 1000, `the chart painted ${drawn.painted} pixels`);
    // The numbers are in the canvas's fallback table (what a screen reader gets): the fixture's first days.
    const fallback = await canvas.locator('tbody tr').evaluateAll((rows) => rows.slice(0, 3).map((r) => r.textContent));
    assert.deepEqual(fallback, ['2025-01-010', '2025-01-021.4', '2025-01-030.5']);
    assert.equal(await artifact(page, 'late-levels').locator('canvas').getAttribute('data-chart'), 'bar');
  });

  test('a table shows 20 rows a page and downloads whole as CSV, formulas made text', async () => {
    const table = artifact(page, 'daily-totals');
    assert.equal(await table.locator('tbody tr').count(), 20);
    assert.match(await table.locator('.pager').innerText(), /Rows 1–20 of 120/);
    await table.getByRole('button', { name: 'Next →' }).click();
    await eventually(async () => /Rows 21–40 of 120/.test(await table.locator('.pager').innerText()), 5_000, 'the second page');
    assert.equal(await table.locator('tbody tr').first().locator('td').first().innerText(), '2025-01-21');

    const [download] = await Promise.all([page.waitForEvent('download'), table.getByRole('link', { name: 'Download CSV' }).click()]);
    assert.equal(download.suggestedFilename(), `daily-totals-${ref.runId.slice(0, 8)}.csv`);
    const csv = readFileSync((await download.path())!, 'utf8');
    const lines = csv.split('\r\n');
    assert.equal(lines.length, 122, 'a header, 120 rows and the final line break');
    assert.equal(lines[0], 'day,total (mm),note');
    assert.equal(lines[1], `2025-01-01,0,"'=HYPERLINK(""https://evil.example"",""x"")"`);
    assert.equal(lines[2], '2025-01-02,1.4,"dry, ""mostly"""');
    assert.equal(lines[120], '2025-04-30,1,');
  });

  test('markdown is rendered, its raw HTML and javascript: link inert', async () => {
    const notes = artifact(page, 'notes').getByTestId('artifact-markdown');
    assert.equal(await notes.locator('strong').innerText(), 'Wettest day');
    assert.equal(await notes.locator('script').count(), 0);
    assert.match(await notes.innerText(), /<script>window.__pwned = true<\/script>/, 'the tag is shown as text');
    assert.equal(await notes.locator('a[href^="javascript:" i]').count(), 0);
    assert.match(await notes.innerText(), /\[click me\]\(javascript:window.__pwned=true\)/, 'the script link stays text');
    assert.equal(await notes.getByRole('link', { name: 'the data' }).getAttribute('href'), 'https://example.org/rain.csv');
    assert.equal(await page.evaluate(() => (window as { __pwned?: boolean }).__pwned), undefined);
  });

  test('a link and an inline image', async () => {
    const link = artifact(page, 'source').getByRole('link', { name: /rain\.csv/ });
    assert.equal(await link.getAttribute('href'), 'https://example.org/rain.csv');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow');
    const image = artifact(page, 'pixel').getByRole('img', { name: 'one blue pixel' });
    assert.equal(await image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), 1);
    if (SHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      await page.setViewportSize({ width: 1360, height: 900 });
      await page.screenshot({ path: path.join(SHOTS, 'run-page.png'), fullPage: true });
    }
  });
});

describe('artifacts on the flow page', () => {
  test('it shows the latest of each key, with the run that published it', async () => {
    const second = await start({ label: 'second', rows: 3, pauseMs: 0 });
    await client.waitForResult(second);
    await eventually(async () => (await store.readArtifacts(second.runId)).length === 6, 15_000, "the second run's artifacts");
    const page = await context.newPage();
    page.on('pageerror', (err) => assert.fail(`uncaught error in the page: ${err.message}`));
    await page.goto(new URL('/flows/artifactsFlow', app.baseUrl).toString());
    const section = page.getByTestId('flow-artifacts');
    await section.locator('[data-key="late-levels"] canvas').waitFor({ timeout: 30_000 });
    const keys = await section.getByTestId('artifact').evaluateAll((els) => els.map((e) => e.getAttribute('data-key')));
    assert.deepEqual(keys, ['late-levels', 'pixel', 'source', 'rain-line', 'daily-totals', 'notes'], 'one of each key, newest first');
    assert.equal(await section.locator('[data-key="notes"] h3').innerText(), 'Notes (second)');
    assert.match(await section.locator('[data-key="daily-totals"] .pager').innerText(), /Rows 1–3 of 3/);
    assert.equal(await section.locator('[data-key="notes"]').getByRole('link', { name: second.workflowId }).getAttribute('href'), `/runs/${encodeURIComponent(second.workflowId)}/${second.runId}`);
    if (SHOTS) {
      await page.setViewportSize({ width: 1360, height: 900 });
      await page.screenshot({ path: path.join(SHOTS, 'flow-page.png'), fullPage: true });
    }
    await page.close();
  });
});

describe('artifacts in the HTTP API', () => {
  test('GET /api/runs/{workflowId}/artifacts gives them all with when each was published, pages by afterId, and refuses bad input by name', async () => {
    const ref = await start({ label: 'api', rows: 2, pauseMs: 0 });
    await client.waitForResult(ref);
    const get = (query = '', init: { as?: 'viewer' } = { as: 'viewer' }) => app.fetch(`/api/runs/${encodeURIComponent(ref.workflowId)}/artifacts${query}`, init);
    const page = await eventually(async () => {
      const res = await get();
      assert.equal(res.status, 200);
      const body = (await res.json()) as { runId: string; artifacts: StoredArtifact[]; nextAfterId: number | null };
      return body.artifacts.length === 6 && body;
    }, 15_000, 'six artifacts');
    assert.equal(page.runId, ref.runId);
    assert.equal(page.nextAfterId, null);
    // In the order they reached the store, by id; by `time`, in the order they were published.
    const ids = page.artifacts.map((a) => a.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    const published = [...page.artifacts].sort((a, b) => a.time - b.time || a.id - b.id);
    assert.deepEqual(published.map((a) => [a.kind, a.key]), [
      ['markdown', 'notes'], ['table', 'daily-totals'], ['chart', 'rain-line'], ['link', 'source'], ['image', 'pixel'], ['chart', 'late-levels'],
    ]);
    const table = published[1]!;
    assert.ok(table.kind === 'table');
    assert.deepEqual(table.rows, [['2025-01-01', 0, '=HYPERLINK("https://evil.example","x")'], ['2025-01-02', 1.4, 'dry, "mostly"']]);
    assert.equal(table.task, 'publishResults');
    assert.equal(published[0]!.task, null);

    const paged = (await (await get(`?runId=${ref.runId}&afterId=${ids[1]}&limit=2`)).json()) as { artifacts: StoredArtifact[]; nextAfterId: number | null };
    assert.deepEqual(paged.artifacts.map((a) => a.id), ids.slice(2, 4));
    assert.equal(paged.nextAfterId, ids[3]);

    // Each line says what was published.
    const lines = await store.readLogs({ runId: ref.runId, search: 'published' });
    assert.deepEqual(lines.sort((a, b) => a.time - b.time || a.id - b.id).map((l) => l.message), [
      "published markdown 'notes'", "published table 'daily-totals'", "published chart 'rain-line'", "published link 'source'", "published image 'pixel'", "published chart 'late-levels'",
    ]);

    for (const [query, message] of [
      ['?afterId=x', /afterId must be a whole number/],
      ['?limit=101', /limit must be at most 100/],
      ['?runId=nope', /runId must be a run id/],
      ['?other=1', /other/],
    ] as const) {
      const res = await get(query);
      assert.equal(res.status, 400, query);
      assert.match(((await res.json()) as { error: { message: string } }).error.message, message, query);
    }
    assert.equal((await get('', {})).status, 401, 'no session, no token');
    const unknown = await app.fetch('/api/runs/no-such-run-anywhere/artifacts', { as: 'viewer' });
    assert.equal(unknown.status, 404);

    // The CSV download takes tables of this run only.
    const csv = (id: number, runId = ref.runId) => app.fetch(`/api/ui/runs/${encodeURIComponent(ref.workflowId)}/${runId}/artifacts/${id}/csv`, { as: 'viewer' });
    assert.equal((await csv(table.id)).status, 200);
    const notTable = await csv(published[0]!.id);
    assert.equal(notTable.status, 400);
    assert.match(((await notTable.json()) as { error: { message: string } }).error.message, /is a markdown, not a table/);
    assert.equal((await csv(table.id, '0193a1e2-7c4d-7e8f-9a0b-1c2d3e4f5a6b')).status, 404);

    const doc = (await (await app.fetch('/api/openapi.json', { as: 'viewer' })).json()) as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    assert.ok(doc.paths['/api/runs/{workflowId}/artifacts'], 'the OpenAPI document has the route');
    assert.match(JSON.stringify(doc.components.schemas.Artifact), /"chart"/);
  });

  test('a task that publishes more than 1 MiB fails, saying so, and nothing of it is stored', async () => {
    const ref = await client.start('tooBigFlow', {}, { startedBy: 'test:artifacts' });
    await assert.rejects(client.waitForResult(ref), (err: Error & { failure?: { message: string; causes: { message: string }[] } }) => {
      const text = [err.message, err.failure?.message, ...(err.failure?.causes ?? []).map((c) => c.message)].join(' | ');
      assert.match(text, /Cannot publish markdown 'huge': it is 2097\d{3} bytes as JSON, more than the 1048576 bytes \(1 MiB\) an artifact may hold/);
      return true;
    });
    // The failure's own lines arrive; no artifact and no "published" line do.
    await eventually(async () => (await store.readLogs({ runId: ref.runId, minLevel: 'warn' })).length > 0, 15_000, "the failed task's lines");
    assert.deepEqual(await store.readArtifacts(ref.runId), []);
    assert.deepEqual(await store.readLogs({ runId: ref.runId, search: 'published' }), []);
  });
});
