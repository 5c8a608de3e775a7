/**
 * The run page's log search in a real browser against the real app, with the feed searching 50 lines a request
 * (SLUICE_LOG_SEARCH_WINDOW): what a run of half a million lines does with windows of tens of thousands, on a run of
 * a few hundred. The viewer asks for older windows by itself until it has a page of matches or reached the run's
 * first line, shows how far it searched, goes on on request, and tails from the highest id searched.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { RunRef } from 'sluice/client';
import type { LogRecord } from 'sluice/internal/store';
import { EnvError, parseEnv } from '../../web/lib/env';
import { eventually } from '../harness/eventually';
import { loggedInContext } from './harness';
import { startBrowserStack, type BrowserStack } from './browser-stack';

const FIXTURES = path.join(__dirname, 'pages-fixtures');
const WINDOW = 50;

let stack: BrowserStack;
let viewer: BrowserContext;

before(async () => {
  stack = await startBrowserStack(
    { taskQueue: 'pages-log-search', workflows: path.join(FIXTURES, 'flows.ts'), activities: path.join(FIXTURES, 'tasks.ts') },
    { env: { SLUICE_LOG_SEARCH_WINDOW: String(WINDOW) } },
  );
  viewer = await loggedInContext(stack.browser, stack.app, 'viewer');
});

after(async () => {
  await stack?.stop();
});

async function finishedRun(): Promise<RunRef> {
  const ref = await stack.client.start('pagesReport', { station: 'north', days: 1, stepMs: 0 }, { startedBy: 'user:viewer@sluice.test' });
  await stack.client.waitForResult(ref);
  return ref;
}

/** `n` lines of the run, written as its tasks would, `message(i)` each. */
async function writeLines(ref: RunRef, n: number, message: (i: number) => string): Promise<void> {
  const lines: LogRecord[] = Array.from({ length: n }, (_, i) => ({ time: Date.now(), level: 'info', message: message(i), workflowId: ref.workflowId, runId: ref.runId, task: 'bulk' }));
  await stack.store.insertLogs(lines);
}

const runUrl = (ref: RunRef) => `/runs/${encodeURIComponent(ref.workflowId)}/${encodeURIComponent(ref.runId)}`;
const feed = (ref: RunRef, query: string) => `/api/ui/runs/${encodeURIComponent(ref.workflowId)}/${encodeURIComponent(ref.runId)}/logs?${query}`;

/** The run page, and the log feed's requests it makes (their query strings). */
async function open(ref: RunRef): Promise<{ page: Page; requests: URLSearchParams[] }> {
  const page = await viewer.newPage();
  page.on('pageerror', (err) => assert.fail(`uncaught error in the page: ${err.message}`));
  const requests: URLSearchParams[] = [];
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.pathname.endsWith('/logs')) requests.push(url.searchParams);
  });
  await page.goto(new URL(runUrl(ref), stack.app.baseUrl).toString());
  return { page, requests };
}

describe("the run page's log search, a window at a time", () => {
  test('the API says how far a search got; the viewer reads on by itself to matches beyond the first window', async () => {
    const ref = await finishedRun();
    await writeLines(ref, 400, (i) => (i === 3 || i === 7 ? `checksum mismatch in part ${i}` : `downloaded part ${i}`));
    const total = await stack.store.countLogs(ref.runId);
    const newest = (await stack.store.readLogs({ runId: ref.runId, order: 'desc', limit: 1 }))[0]!;

    const res = await stack.app.fetch(feed(ref, 'order=desc&limit=1000&search=CHECKSUM%20mismatch'), { as: 'viewer' });
    assert.equal(res.status, 200);
    const first = (await res.json()) as { lines: unknown[]; searched: number; beforeId: number | null; afterId: number; more: boolean };
    assert.deepEqual({ lines: first.lines, searched: first.searched, afterId: first.afterId, more: first.more }, { lines: [], searched: WINDOW, afterId: newest.id, more: true });
    assert.equal(typeof first.beforeId, 'number');
    const bad = await stack.app.fetch(feed(ref, 'order=desc&beforeId=9007199254740993&search=x'), { as: 'viewer' });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /beforeId must be a whole number/);

    const { page, requests } = await open(ref);
    await page.getByText('downloaded part 399').waitFor({ timeout: 15_000 });
    await page.getByLabel('Search the logs').fill('checksum mismatch');
    const status = page.getByTestId('log-search-status');
    await status.filter({ hasText: `Searched all ${total.toLocaleString('en')} lines: 2 matches` }).waitFor({ timeout: 15_000 });
    assert.deepEqual(await page.locator('.log-line').allInnerTexts().then((t) => t.map((l) => l.replace(/^.*\] /, ''))), ['checksum mismatch in part 3', 'checksum mismatch in part 7']);
    const searches = requests.filter((q) => q.get('search') === 'checksum mismatch' && q.get('order') === 'desc');
    assert.equal(searches.length, Math.ceil(total / WINDOW), 'one request a window, from the newest line to the first');
    assert.equal(searches[0]!.get('beforeId'), null);
    assert.equal(searches[1]!.get('beforeId'), String(first.beforeId), "each goes on from the last one's cursor");
    await page.close();
  });

  test('a page of matches stops the search; "Search earlier lines" goes on from where it stopped', async () => {
    const ref = await finishedRun();
    await writeLines(ref, 1_200, (i) => `bulk line ${i}`);
    const { page } = await open(ref);
    await page.getByText('bulk line 1199').waitFor({ timeout: 15_000 });
    await page.getByLabel('Search the logs').fill('BULK LINE');
    const status = page.getByTestId('log-search-status');
    await status.filter({ hasText: 'Showing the newest 1,000 matches (1,000 lines searched)' }).waitFor({ timeout: 15_000 });
    assert.match(await page.getByTestId('log-count').innerText(), /^1,000 lines matching/);
    await page.locator('.log-view').evaluate((el) => (el.scrollTop = 0));
    await page.getByRole('button', { name: 'Search earlier lines' }).click();
    const total = await stack.store.countLogs(ref.runId);
    await status.filter({ hasText: `Searched all ${total.toLocaleString('en')} lines: 1,200 matches` }).waitFor({ timeout: 15_000 });
    await page.locator('.log-view').evaluate((el) => (el.scrollTop = 0));
    await page.locator('.log-line', { hasText: /bulk line 0$/ }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Search earlier lines' }).count(), 0, 'nothing earlier to search');
    // A new search cancels the one before: only its own matches show.
    await page.getByLabel('Search the logs').fill('bulk line 7');
    await status.filter({ hasText: `Searched all ${total.toLocaleString('en')} lines: 111 matches` }).waitFor({ timeout: 15_000 });
    assert.match(await page.getByTestId('log-count').innerText(), /^111 lines matching/);
    await page.close();
  });

  test('the live tail with a search reads on from the highest id searched, and shows a new match', async () => {
    const ref = await stack.client.start('pagesWait', { seconds: 120 }, { startedBy: 'user:viewer@sluice.test' });
    try {
      await writeLines(ref, 120, (i) => `waiting ${i}`);
      const { page, requests } = await open(ref);
      await page.getByText('waiting 119').waitFor({ timeout: 15_000 });
      await page.getByLabel('Search the logs').fill('disk alarm');
      const total = await eventually(async () => {
        const text = await page.getByTestId('log-search-status').innerText().catch(() => '');
        return /^Searched all [\d,]+ lines: 0 matches$/.test(text) && text;
      }, 15_000, 'the search reaches the first line');
      assert.match(total, /Searched all/);
      const [written] = await stack.store.readLogs({ runId: ref.runId, search: 'waiting 119' });
      await writeLines(ref, 3 * WINDOW, (i) => (i === 2 * WINDOW + 5 ? 'disk alarm raised' : `still waiting ${i}`));
      await page.locator('.log-line', { hasText: 'disk alarm raised' }).waitFor({ timeout: 15_000 });
      // The run writes a line a second: at some moment the status has counted every line the store holds.
      await eventually(async () => {
        const lines = await stack.store.countLogs(ref.runId);
        return (await page.getByTestId('log-search-status').innerText()) === `Searched all ${lines.toLocaleString('en')} lines: 1 match`;
      }, 15_000, "the tail's lines counted as searched");
      const tails = requests.filter((q) => q.get('search') === 'disk alarm' && q.get('afterId') !== null).map((q) => Number(q.get('afterId')));
      assert.ok(tails.length > 0);
      // With no match yet, a tail from its last match would search the run from its first line again, every second.
      assert.ok(tails.every((id) => id >= written!.id), `the tail reads on from the lines searched (${tails.join(', ')}; searched up to ${written!.id})`);
      await page.close();
    } finally {
      await stack.client.cancelRun(ref);
    }
  });
});

describe('SLUICE_LOG_SEARCH_WINDOW', () => {
  test('a whole number of lines makes one window a request; anything else stops the app with its name', () => {
    assert.deepEqual(parseEnv({}).logSearch, {}, 'unset: windows while the request has time');
    assert.deepEqual(parseEnv({ SLUICE_LOG_SEARCH_WINDOW: '50' }).logSearch, { window: 50, budgetMs: 0 });
    for (const bad of ['0', '-5', '1.5', 'many']) {
      assert.throws(() => parseEnv({ SLUICE_LOG_SEARCH_WINDOW: bad }), (err: Error) => err instanceof EnvError && /SLUICE_LOG_SEARCH_WINDOW: must be a whole number of lines, at least 1/.test(err.message), bad);
    }
  });
});

