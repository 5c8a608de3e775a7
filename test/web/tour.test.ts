/**
 * The tour a new user takes, in a real browser, on the stack `npm start` runs (Temporal, the worker serving
 * workflows/ and activities/, the Python worker of activities/hydrology.py, the web app in production mode),
 * on free ports and a fresh data directory. Logged in as the admin `npm start` printed, it starts every flow
 * the Flows page lists from its form with the defaults shown and sees each complete; uses each page's main
 * action (re-run, re-run with changes, cancel, pause / resume / run now, add a user, create and revoke a
 * token, a notification channel reaching a real HTTP receiver); then a viewer, added on the Users page, sees
 * no write control anywhere. Every page is held to page-checks.ts (no console error, no 4xx/5xx, axe-core
 * clean), and every page web/app declares must have been visited.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, afterEach, before, describe, test, type TestContext } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { eventually } from '../harness/eventually';
import { npmStart, type NpmStart } from '../harness/npm-start';
import { startHttpReceiver } from '../harness/receivers';
import { launchBrowser, loginWithForm } from './harness';
import { axeViolations, controlsAwayFromLabels, watchContext, writeControls, type ContextWatch } from './page-checks';
import { pageRoutes } from './page-routes';

const ROUTES = pageRoutes(path.join(__dirname, '..', '..', 'web', 'app'));
const RUN_PATH = /^\/runs\/[^/]+\/[^/]+$/;
const TERMINAL = 'h1 [data-status]:not([data-status="running"])';

let stack: NpmStart;
let base: string;
let receiver: Awaited<ReturnType<typeof startHttpReceiver>>;
let browser: Browser;
let admin: { context: BrowserContext; watch: ContextWatch; page: Page };
/** One real URL per page route the admin saw, for the viewer to see too. */
const seen = new Map<string, string>();
/** The first run of each flow, started from its form; then how long each took. */
const started: { flow: string; url: string; at: number }[] = [];
const firstRuns: { flow: string; url: string; ms: number }[] = [];
const viewerUser = { email: 'viewer@tour.test', password: `viewer-${Date.now()}` };
const timings: [string, number][] = [];

function routeOf(pathname: string): string | undefined {
  return ROUTES.find((r) => r.pattern.test(pathname))?.route;
}

/**
 * The page as it is now must pass the checks every page is held to. Remembers its route (the admin's pages),
 * so the viewer and the coverage check can use it.
 */
async function checkPage(page: Page, options: { remember?: boolean } = { remember: true }): Promise<void> {
  const pathname = new URL(page.url()).pathname;
  assert.deepEqual(await axeViolations(page), [], `axe-core on ${pathname}`);
  assert.deepEqual(await controlsAwayFromLabels(page), [], `checkboxes beside their labels on ${pathname}`);
  const route = routeOf(pathname);
  if (options.remember && route && !seen.has(route)) seen.set(route, pathname);
}

/**
 * Goes to `pathname` and waits for `ready` (a locator that shows the page's content is there), then checks it.
 * The route asked for is remembered too, when it redirects (as /admin does).
 */
async function visit(page: Page, pathname: string, ready: string): Promise<void> {
  const route = routeOf(pathname);
  if (route && !seen.has(route)) seen.set(route, pathname);
  await page.goto(new URL(pathname, base).toString());
  await page.locator(ready).first().waitFor();
  await checkPage(page);
}

/** What the web app printed lately: a failing step's message carries it, as the server's side of the story. */
function webLog(): string {
  return stack.output.filter((l) => l.startsWith('[web]')).slice(-30).join('\n');
}

/** Waits for a form's answer and fails with it unless it says what was done. */
async function formSucceeds(form: Locator): Promise<void> {
  const answer = form.locator('.form-ok, .form-error').first();
  await answer.waitFor();
  const text = await answer.innerText();
  assert.equal(await answer.getAttribute('class'), 'form-ok', `the form answered: ${text}\nThe web app's last lines:\n${webLog()}`);
}

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await work();
  } finally {
    timings.push([what, Date.now() - t0]);
  }
}

/**
 * Waits for the run page to show an ended run; fails with its error panel unless it completed. A run that asks
 * (rainfallAnomalies asks for approval) is answered from its form with the values it shows, as an operator would.
 */
async function waitForEnd(page: Page, want = 'completed'): Promise<void> {
  const asks = '[data-testid="answer-form"][data-ready]';
  const deadline = Date.now() + 180_000;
  for (;;) {
    await page.locator(want === 'completed' ? `${TERMINAL}, ${asks}` : TERMINAL).first().waitFor({ timeout: Math.max(deadline - Date.now(), 1) });
    if ((await page.locator(TERMINAL).count()) > 0) break;
    await checkPage(page);
    await page.locator(asks).getByRole('button', { name: 'Send answer' }).click();
    await page.locator(asks).waitFor({ state: 'detached', timeout: 30_000 });
  }
  const status = await page.locator('h1 [data-status]').getAttribute('data-status');
  if (status !== want) assert.fail(`${page.url()} ended ${status}, not ${want}: ${await page.locator('main').innerText()}\nThe web app's last lines:\n${webLog()}`);
}

async function apiRun(page: Page, runUrl: string): Promise<{ status: string; durationMs: number | null; parameters: Record<string, unknown> }> {
  const [, , workflowId, runId] = new URL(runUrl, base).pathname.split('/');
  const res = await page.request.get(`${base}/api/runs/${workflowId}?runId=${runId}`);
  assert.equal(res.status(), 200, await res.text());
  return res.json();
}

before(async () => {
  receiver = await startHttpReceiver();
  const t0 = Date.now();
  // The webhook receiver listens on loopback, where Sluice sends webhooks only when an admin allows it.
  stack = await npmStart({ SLUICE_WEBHOOK_ALLOW_LOCAL: 'true' });
  // Where start-up time goes, for the report (the web app is built first unless its sources are those of the
  // last build; npm test builds it before).
  const steps: [string, RegExp][] = [
    ['worker polling', /^\[worker\] +worker ready/],
    ['worker and web app ready', /^\[start\] +starting the Python worker/],
    ['Python worker ready', /^\[py:\w+\] +python worker ready/],
  ];
  const mark = (what: string) => timings.push([`${what} (since npm start)`, Date.now() - t0]);
  for (const [what, line] of steps) void stack.waitFor(line, 600_000).then(() => mark(what), () => undefined);
  await stack.waitFor(/Press Ctrl-C to stop/, 600_000);
  mark('npm start until ready');
  base = `http://127.0.0.1:${stack.ports.web}`;
  browser = await launchBrowser();
  const context = await browser.newContext();
  admin = { context, watch: watchContext(context, 'admin'), page: await context.newPage() };
});

after(async () => {
  await browser?.close();
  await stack?.stop();
  await receiver?.close();
});

// Whatever a part did, no page may have logged an error or had a request refused or broken meanwhile.
afterEach(() => {
  assert.deepEqual(admin?.watch.take() ?? [], [], 'no console error and no failed request');
});

describe('the tour of a fresh `npm start`', () => {
  test('the admin npm start printed logs in through the log-in page', async () => {
    const text = stack.output.join('\n');
    const email = /^\[start\]\s+email:\s+(\S+)$/m.exec(text)?.[1];
    const password = /^\[start\]\s+password:\s+(\S+)$/m.exec(text)?.[1];
    assert.ok(email && password, `npm start prints the first admin's log-in:\n${text}`);
    const { page } = admin;
    await visit(page, '/login', 'form');
    await loginWithForm(page, base, { email, password });
    await page.getByTestId('current-role').filter({ hasText: 'admin' }).waitFor();
    await checkPage(page);
  });

  test('every flow the Flows page lists starts from its form with the defaults shown', async () => {
    const { page } = admin;
    await visit(page, '/flows', 'section[data-flow]');
    const flows = await page.locator('section[data-flow]').evaluateAll((els) => els.map((e) => e.getAttribute('data-flow')!));
    // The page lists what the workers published: the API says the same.
    const api = (await (await page.request.get(`${base}/api/flows`)).json()) as { flows: { name: string; goneAt: string | null }[] };
    assert.deepEqual([...flows].sort(), api.flows.filter((f) => !f.goneAt).map((f) => f.name).sort());
    assert.ok(flows.length > 0, 'the examples are served');

    await timed(`start ${flows.length} flows from their forms`, async () => {
      for (const flow of flows) {
        await visit(page, '/flows', `section[data-flow="${flow}"]`);
        await page.locator(`section[data-flow="${flow}"]`).getByRole('link', { name: 'Run…' }).click();
        await page.waitForURL((url) => url.pathname === `/flows/${flow}/run`);
        await page.locator('[data-testid="run-form"][data-ready]').waitFor(); // hydrated: typed values stay
        await checkPage(page);
        const at = Date.now();
        await page.getByRole('button', { name: 'Start run' }).click();
        await page.waitForURL((url) => RUN_PATH.test(url.pathname), { timeout: 30_000 });
        started.push({ flow, url: new URL(page.url()).pathname, at });
      }
    });
  });

  // (Meanwhile the runs run: the admin pages are toured before they are waited for.)
  test('Users: an admin adds a viewer', async () => {
    const { page } = admin;
    await visit(page, '/admin', '[data-testid="add-user"]');
    assert.equal(new URL(page.url()).pathname, '/admin/users', '/admin is the users page');
    const form = page.getByTestId('add-user');
    await form.getByLabel('Email').fill(viewerUser.email);
    await form.getByLabel('Name').fill('Tour viewer');
    await form.getByLabel('Role').selectOption('viewer');
    await form.getByLabel('Password').fill(viewerUser.password);
    await form.getByRole('button', { name: 'Add user' }).click();
    await formSucceeds(form);
    await page.getByTestId(`user-${viewerUser.email}`).waitFor();
    await checkPage(page);
  });

  test('API tokens: an admin creates a token that opens the API, and revokes it', async () => {
    const { page } = admin;
    await visit(page, '/admin/tokens', '[data-testid="create-token"]');
    const form = page.getByTestId('create-token');
    await form.getByLabel('Name').fill('tour-token');
    await form.getByLabel('Role').selectOption('viewer');
    await form.getByRole('button', { name: 'Create token' }).click();
    const token = await form.getByTestId('new-token').innerText();
    await checkPage(page);
    const runs = () => fetch(`${base}/api/runs`, { headers: { authorization: `Bearer ${token.trim()}` } });
    assert.equal((await runs()).status, 200, 'the new token reads runs');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('row', { name: /tour-token/ }).getByRole('button', { name: 'Revoke' }).click();
    await eventually(async () => (await runs()).status === 401, 15_000, 'the revoked token to be refused');
    await checkPage(page);
  });

  test('Notifications: a webhook channel, tested from its row, and a rule; a cancelled run reaches the receiver', async () => {
    const { page } = admin;
    await visit(page, '/admin/notifications', '[data-testid="create-channel"]');
    const channel = page.getByTestId('create-channel');
    await channel.getByLabel('Name').fill('tour-hook');
    await channel.getByLabel('Kind').selectOption('webhook');
    await channel.getByLabel('Addresses or webhook URL').fill(receiver.url('/tour'));
    await channel.getByRole('button', { name: 'Add channel' }).click();
    await formSucceeds(channel);
    // Tried at once: the receiver gets the test message, and the row says it was sent.
    const row = page.getByTestId('channels').getByRole('row', { name: /tour-hook/ });
    await row.getByRole('button', { name: 'Send test' }).click();
    await formSucceeds(row);
    const test = receiver.posts.find((p) => p.path === '/tour' && p.json.subject === 'Sluice: test message for channel tour-hook');
    assert.ok(test, `the receiver got the test message: ${JSON.stringify(receiver.posts.map((p) => p.json.subject))}`);
    const rule = page.getByTestId('create-rule');
    await rule.getByLabel('Channels').fill('tour-hook');
    await rule.getByLabel('cancelled').check();
    await rule.getByRole('button', { name: 'Add rule' }).click();
    await formSucceeds(rule);
    await page.getByTestId('rules').getByText('tour-hook').waitFor();
    await checkPage(page);
  });

  test('each of those runs completes', async (t) => {
    const { page } = admin;
    await timed('until every first run completed', async () => {
      for (const run of started) {
        await page.goto(new URL(run.url, base).toString());
        await waitForEnd(page);
        await checkPage(page);
        const { durationMs } = await apiRun(page, run.url);
        firstRuns.push({ flow: run.flow, url: run.url, ms: durationMs ?? Date.now() - run.at });
      }
    });
    for (const run of firstRuns) t.diagnostic(`${run.flow}: completed in ${(run.ms / 1000).toFixed(1)} s`);
  });

  test('a run page: re-run, re-run with changes, and cancel (which notifies)', async () => {
    const { page } = admin;
    // The slowest flow gives the time to cancel its re-run while it runs.
    const byTime = [...firstRuns].sort((a, b) => b.ms - a.ms);
    const [slowest, fastest] = [byTime[0], byTime.at(-1)!];

    await timed('re-run', async () => {
      await visit(page, fastest.url, TERMINAL);
      await page.getByRole('button', { name: 'Re-run', exact: true }).click();
      await page.waitForURL((url) => RUN_PATH.test(url.pathname) && url.pathname !== fastest.url, { timeout: 30_000 });
      await waitForEnd(page);
      await checkPage(page);
      assert.deepEqual((await apiRun(page, page.url())).parameters, (await apiRun(page, fastest.url)).parameters, 'the same parameters');
    });

    await timed('re-run with changes', async () => {
      // A run whose form has a whole number to change (the form draws integers as numeric text fields).
      let changed: { name: string; value: number } | undefined;
      for (const run of firstRuns) {
        await visit(page, run.url, TERMINAL);
        await page.getByRole('link', { name: 'Re-run with changes…' }).click();
        await page.locator('[data-testid="run-form"][data-ready]').waitFor(); // hydrated: typed values stay
        const number = page.locator('[data-testid="run-form"] input[inputmode="numeric"]').first();
        if ((await number.count()) === 0) continue;
        await checkPage(page);
        const value = Number(await number.inputValue());
        // The control's id is field-<parameter>.
        changed = { name: (await number.getAttribute('id'))!.replace(/^field-/, ''), value: value > 1 ? value - 1 : value + 1 };
        await number.fill(String(changed.value));
        await page.getByRole('button', { name: 'Re-run', exact: true }).click();
        await page.waitForURL((url) => RUN_PATH.test(url.pathname), { timeout: 30_000 });
        break;
      }
      assert.ok(changed, 'some example has a number parameter to change');
      await waitForEnd(page);
      await checkPage(page);
      assert.equal((await apiRun(page, page.url())).parameters[changed.name], changed.value, 'the run has the changed value');
    });

    await timed('cancel, and the notification', async () => {
      await visit(page, slowest.url, TERMINAL);
      await page.getByRole('button', { name: 'Re-run', exact: true }).click();
      await page.waitForURL((url) => RUN_PATH.test(url.pathname) && url.pathname !== slowest.url, { timeout: 30_000 });
      const cancelled = new URL(page.url()).pathname;
      page.once('dialog', (dialog) => void dialog.accept());
      await page.getByRole('button', { name: 'Cancel run' }).click();
      await waitForEnd(page, 'cancelled');
      await checkPage(page);
      const workflowId = decodeURIComponent(cancelled.split('/')[2]);
      // The web app's notifier looks for ended runs every 15 s.
      const post = await eventually(
        () => receiver.posts.find((p) => p.path === '/tour' && p.json.events?.some((e: { event: string; workflowId: string }) => e.event === 'cancelled' && e.workflowId === workflowId)),
        60_000,
        'the webhook to receive the cancelled run',
      );
      assert.equal(post.json.channel, 'tour-hook');
      await visit(page, '/admin/notifications', '[data-testid="deliveries"]');
      assert.match(await page.getByTestId('deliveries').innerText(), /sent/);
    });
  });

  test('deployments: pause with a note, resume, and run now', async () => {
    const { page } = admin;
    await visit(page, '/flows', 'section[data-flow]');
    // The first scheduled deployment the Flows page shows (one with a Pause button).
    const card = page.locator('[data-deployment]').filter({ has: page.getByRole('button', { name: 'Pause' }) }).first();
    const deployment = (await card.getAttribute('data-deployment'))!;
    const flow = (await card.locator('xpath=ancestor::section[@data-flow]').getAttribute('data-flow'))!;
    await visit(page, `/flows/${flow}`, `[data-deployment="${deployment}"]`);
    const here = page.locator(`[data-deployment="${deployment}"]`);
    await here.getByLabel(`Note for ${deployment}`).fill('tour: paused for a minute');
    await here.getByRole('button', { name: 'Pause' }).click();
    await here.getByTestId('deployment-state').filter({ hasText: 'Paused' }).waitFor({ timeout: 15_000 });
    await checkPage(page);
    await here.getByRole('button', { name: 'Resume' }).click();
    await here.getByTestId('deployment-state').filter({ hasText: 'Active' }).waitFor({ timeout: 15_000 });
    await timed('run now, until completed', async () => {
      await here.getByRole('button', { name: 'Run now' }).click();
      await page.waitForURL((url) => RUN_PATH.test(url.pathname), { timeout: 30_000 });
      await waitForEnd(page);
      await checkPage(page);
    });
  });

  test('the runs list, a run by its workflow id alone, and the store', async () => {
    const { page } = admin;
    await visit(page, '/runs', 'tr[data-run]');
    await page.getByRole('link', { name: '50', exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get('pageSize') === '50');
    await page.locator('tr[data-run]').first().waitFor();
    await checkPage(page);
    const [, , workflowId] = firstRuns[0].url.split('/');
    await visit(page, `/runs/${workflowId}`, TERMINAL);
    assert.equal(new URL(page.url()).pathname, firstRuns[0].url, '/runs/{workflowId} shows its latest run');
    await visit(page, '/admin/store', '[data-testid="store-facts"]');
    await visit(page, '/', 'main h1');
  });

  test('a viewer, added on the Users page, sees every page and no write control on any', async () => {
    const context = await browser.newContext();
    const watch = watchContext(context, 'viewer');
    try {
      const page = await context.newPage();
      await loginWithForm(page, base, viewerUser);
      await page.getByTestId('current-role').filter({ hasText: 'viewer' }).waitFor();

      // A page the viewer is refused is a write page (a run form) or an admin's: links to it are write controls too.
      const refused: string[] = [];
      for (const [route, pathname] of seen) {
        if (route === '/login') continue;
        watch.expect(pathname, 403);
        const response = await page.goto(new URL(pathname, base).toString());
        // A page's content (or the refusal) has a heading; until then it may still redirect (/runs/{workflowId}).
        await page.locator('main h1').first().waitFor();
        if (response?.status() === 403 || (await page.getByRole('heading', { name: 'Not allowed' }).count()) > 0) refused.push(route);
      }
      const writePaths = refused.map((route) => ROUTES.find((r) => r.route === route)!.pattern);
      for (const [route, pathname] of seen) {
        if (route === '/login' || refused.includes(route)) continue;
        await page.goto(new URL(pathname, base).toString());
        await page.locator('main h1').first().waitFor();
        assert.deepEqual(await writeControls(page, writePaths), [], `no write control for a viewer on ${pathname}`);
        await checkPage(page, { remember: false });
      }
      // A viewer reads runs, flows, deployments and logs (web/README.md, Roles): only the admin's pages and
      // the run form (a write) are refused, and each of those is.
      assert.deepEqual(refused, [...seen.keys()].filter((r) => r.startsWith('/admin') || r.endsWith('/run')), 'the pages refused to a viewer');
      assert.deepEqual(watch.take(), [], 'no console error and no failed request for the viewer');
    } finally {
      await context.close();
    }
  });

  test('every page web/app declares was visited', (t: TestContext) => {
    const visited = admin.watch.visited.map(routeOf);
    const missed = ROUTES.map((r) => r.route).filter((route) => !visited.includes(route));
    assert.deepEqual(missed, [], `pages the tour did not visit (and check): add them to the tour. Visited: ${[...seen.values()].join(', ')}`);
    for (const [what, ms] of timings) t.diagnostic(`${what}: ${(ms / 1000).toFixed(1)} s`);
  });
});
