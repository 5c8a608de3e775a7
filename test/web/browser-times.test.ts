/**
 * Times on the pages, in a real browser whose zone is not the server's nor the deployment's: every time names its
 * zone, a deployment's next times are shown in the deployment's own zone (and in the reader's), and a finished
 * run, as shown, ended after it started — its "Started … ago" and "Ended … ago" are read off one clock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { SluiceClient } from 'sluice/client';
import { eventually } from '../harness/eventually';
import { loginInBrowser, type WebApp } from './harness';
import { startBrowserStack, type BrowserStack } from './browser-stack';

const FIXTURES = path.join(__dirname, 'times-fixtures');

let app: WebApp;
let browser: Browser;
let client: SluiceClient;
let stack: BrowserStack;

before(async () => {
  stack = await startBrowserStack({ taskQueue: 'times-browser', workflows: path.join(FIXTURES, 'flows.ts'), activities: path.join(FIXTURES, 'tasks.ts') });
  ({ app, client, browser } = stack);
});

after(async () => {
  await stack?.stop();
});

/** A logged-in viewer whose browser lives in `timezoneId`. */
async function readerIn(timezoneId: string): Promise<BrowserContext> {
  const context = await browser.newContext({ timezoneId });
  const page = await context.newPage();
  await loginInBrowser(page, app, 'viewer');
  await page.close();
  return context;
}

async function open(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (err) => assert.fail(`uncaught error in the page: ${err.message}`));
  await page.goto(new URL(url, app.baseUrl).toString());
  return page;
}

/** Minutes east of UTC for the zone names this test's zones show; written out here, not asked of Intl. */
function offsetMinutes(zone: string): number {
  const named: Record<string, number> = { UTC: 0, GMT: 0, CET: 60, CEST: 120, EST: -300, EDT: -240 };
  if (zone in named) return named[zone]!;
  const m = /^UTC([+-])(\d{1,2})(?::(\d\d))?$/.exec(zone);
  assert.ok(m, `a zone this test knows: ${zone}`);
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

const ZONE = String.raw`(UTC[+-]\d{1,2}(?::\d\d)?|UTC|GMT|CET|CEST|EST|EDT)`;
const SHOWN = new RegExp(String.raw`(\d{4}-\d\d-\d\d) (\d\d):(\d\d)(?::(\d\d))? ${ZONE}`);

/** "2026-12-07 06:00 CET" → the instant it names, and its hour as written. */
function instantOf(shown: string): { ms: number; hour: number; zone: string } {
  const m = SHOWN.exec(shown);
  assert.ok(m, `a time with its zone: ${JSON.stringify(shown)}`);
  const [, day, hh, mm, ss = '00', zone] = m;
  const wall = Date.parse(`${day}T${hh}:${mm}:${ss}Z`);
  return { ms: wall - offsetMinutes(zone!) * 60_000, hour: Number(hh), zone: zone! };
}

/** "42 s ago" → 42; "just now" → 0 (under 5 s); undefined for coarser words. */
function secondsAgo(text: string): number | undefined {
  if (/just now/.test(text)) return 0;
  const m = /(\d+) s ago/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * Every time on the page names its zone: each <time> carries its instant and a title naming the zone, and no
 * date-and-clock text stands without a zone after it.
 */
async function assertEveryTimeNamesItsZone(page: Page, where: string): Promise<void> {
  const times = await page.locator('time').evaluateAll((els) => els.map((e) => ({ dateTime: e.getAttribute('datetime'), title: e.getAttribute('title'), text: e.textContent })));
  for (const t of times) {
    assert.ok(t.dateTime && Number.isFinite(Date.parse(t.dateTime)), `${where}: a <time> with its instant (${JSON.stringify(t)})`);
    assert.match(t.title ?? '', new RegExp(ZONE), `${where}: the absolute time and its zone on hover (${JSON.stringify(t)})`);
    assert.equal(instantOf(t.title!).ms, Math.floor(Date.parse(t.dateTime!) / 1000) * 1000, `${where}: the title names the same instant (${JSON.stringify(t)})`);
  }
  const body = await page.locator('main').innerText();
  // Seconds and milliseconds are taken whole (no backtracking to a shorter match that a zone does not follow).
  const unnamed = [...body.matchAll(new RegExp(String.raw`\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d(?:\.\d+)?)?(?![:.\d])(?! ${ZONE})`, 'g'))].map((m) => m[0]);
  assert.deepEqual(unnamed, [], `${where}: every date and time names its zone`);
}

describe('times on the pages', () => {
  test("a deployment's next times are shown in its own zone, named, and in the reader's zone too", async () => {
    const reader = await readerIn('America/New_York');
    const page = await open(reader, '/flows/timesReport');
    const newYear = page.locator('[data-deployment="new-year"]');
    assert.match(await newYear.getByTestId('schedule-words').innerText(), /^At 03:00, .*January.* \(Europe\/Amsterdam\)$/);
    // Once the page runs in the browser, the reader's zone is added (the server cannot know it).
    await newYear.locator('.next-runs li', { hasText: 'your time' }).first().waitFor();
    const items = await newYear.locator('.next-runs li').evaluateAll((els) => els.map((li) => ({ text: li.textContent ?? '', dateTime: li.querySelector('time')?.getAttribute('datetime') ?? '' })));
    assert.ok(items.length > 0, 'next times are listed');
    const [described] = await client.listDeployments('timesReport');
    assert.deepEqual(items.map((i) => i.dateTime), described!.nextRunTimes.slice(0, items.length), 'the times Temporal gave');
    for (const { text, dateTime } of items) {
      const m = new RegExp(String.raw`^next: (.+?) · in [^·]+ · (.+?) your time$`).exec(text);
      assert.ok(m, `next time in both zones: ${JSON.stringify(text)}`);
      const own = instantOf(m[1]!);
      const theirs = instantOf(m[2]!);
      assert.equal(own.hour, 3, `03:00 in Amsterdam: ${text}`);
      assert.equal(theirs.hour, 21, `21:00 the day before in New York: ${text}`);
      assert.match(own.zone, /^CES?T$/, `named as Amsterdam's zone: ${text}`);
      assert.match(theirs.zone, /^E[SD]T$/, `named as New York's zone: ${text}`);
      assert.equal(own.ms, Date.parse(dateTime), `the same instant as Temporal's: ${text}`);
      assert.equal(theirs.ms, Date.parse(dateTime), `the same instant in the reader's zone: ${text}`);
    }
    await assertEveryTimeNamesItsZone(page, 'flow page');
    await reader.close();
  });

  test('a finished run ended after it started, as shown on its page, on one clock', async () => {
    const reader = await readerIn('Asia/Kolkata');
    const ref = await client.start('timesBroken', { seconds: 4 }, { startedBy: 'user:viewer@sluice.test' });
    // Open while it runs: the Ended line then appears later than the Started one, as it did for the user.
    const page = await open(reader, `/runs/${encodeURIComponent(ref.workflowId)}/${encodeURIComponent(ref.runId)}`);
    await page.locator('h1 [data-status="failed"]').waitFor({ timeout: 30_000 });
    const run = await client.getRun(ref.workflowId, ref.runId);
    assert.ok(run?.closeTime, 'Temporal has its end');

    /** Started and Ended as the page shows them, read in one go (no tick between the two). */
    const facts = () =>
      page.locator('dl.facts').evaluate((dl) => {
        // No named helpers in here: the test's compiler would wrap them in a function the page does not have.
        const shown: Record<string, { text: string; dateTime: string }> = {};
        for (const dt of Array.from(dl.querySelectorAll('dt'))) {
          const dd = dt.nextElementSibling;
          const time = dd?.querySelector('time');
          shown[dt.textContent ?? ''] = { text: (time ?? dd)?.textContent ?? '', dateTime: time?.getAttribute('datetime') ?? '' };
        }
        return { started: shown.Started!, ended: shown.Ended!, duration: shown.Duration!.text };
      });
    // Long enough for every clock on the page to have ticked since the Ended line appeared.
    const shown = await eventually(
      async () => {
        const f = await facts();
        const ago = secondsAgo(f.started.text);
        return ago !== undefined && ago >= 20 ? f : undefined;
      },
      45_000,
      'Started to read 20 s ago or more',
    );
    assert.equal(shown.started.dateTime, run.startTime);
    assert.equal(shown.ended.dateTime, run.closeTime);
    const started = instantOf(shown.started.text);
    const ended = instantOf(shown.ended.text);
    assert.equal(started.zone, 'UTC+5:30', `in the reader's zone, named: ${shown.started.text}`);
    assert.equal(started.ms, Math.floor(Date.parse(run.startTime) / 1000) * 1000, shown.started.text);
    assert.equal(ended.ms, Math.floor(Date.parse(run.closeTime) / 1000) * 1000, shown.ended.text);
    assert.ok(started.ms <= ended.ms, `started ${shown.started.text}, ended ${shown.ended.text}`);

    const startedAgo = secondsAgo(shown.started.text)!;
    const endedAgo = secondsAgo(shown.ended.text);
    assert.ok(endedAgo !== undefined, shown.ended.text);
    const durationS = (Date.parse(run.closeTime) - Date.parse(run.startTime)) / 1000;
    // Both read against the same now: they differ by the run's duration (each rounded down to a second).
    assert.ok(
      startedAgo - endedAgo >= Math.floor(durationS) - 1 && startedAgo - endedAgo <= Math.ceil(durationS) + 1,
      `started ${startedAgo} s ago and ended ${endedAgo} s ago, for a run of ${durationS} s (${shown.duration})`,
    );
    await assertEveryTimeNamesItsZone(page, 'run page');
    // Log lines' times are in the reader's zone, which the viewer names.
    await page.getByText('waiting 4 s').waitFor();
    assert.match(await page.getByTestId('log-viewer').innerText(), /times in UTC\+5:30/);

    for (const where of ['/', '/runs', '/flows', '/flows/timesBroken']) {
      const other = await open(reader, where);
      await other.locator('time').first().waitFor();
      await assertEveryTimeNamesItsZone(other, where);
      await other.close();
    }
    await reader.close();
  });
});
