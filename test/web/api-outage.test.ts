// Outages, with real parts: the built app (next start) on a PostgreSQL of this file's own, which is stopped halfway
// and started again, and an app pointed at a Temporal address nobody listens on. Every route then answers 503 with
// a readable JSON message (no stack), pages show their error, a log download cut off by the outage ends in a broken
// transfer (never in a file that looks complete), and once the store is back the same sessions work: nobody was
// logged out.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { openStore } from 'sluice/internal/store';
import { createApiToken } from '../../web/lib/auth/tokens';
import { startRestartablePostgres, type RestartablePostgres } from '../store/helpers/restartable-postgres';
import { freePort, launchBrowser, loggedInContext, loginCookie, startWebApp, type WebApp } from './harness';

const RUN = '0193a1e2-7c4d-7e8f-9a0b-1c2d3e4f5a6b';
const WORKFLOW = 'outage-wf';
const FLOW = 'outageFlow';
// Five of the download's 5,000-line pages of 1 KB lines (25 MB): far more than socket buffers hold, so the
// download is still running when the store stops.
const LINES = 25_000;
const START = JSON.stringify({ flow: FLOW, parameters: {} });

interface Route {
  what: string;
  path: string;
  init?: RequestInit;
}

/** Every route of the API and the run page's log routes (the same list for each outage). */
const ROUTES: Route[] = [
  { what: 'list runs', path: '/api/runs' },
  { what: 'start a run', path: '/api/runs', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: START } },
  { what: 'read a run', path: `/api/runs/${WORKFLOW}` },
  { what: "read a run's logs", path: `/api/runs/${WORKFLOW}/logs` },
  { what: "read a run's question", path: `/api/runs/${WORKFLOW}/question` },
  { what: "answer a run's question", path: `/api/runs/${WORKFLOW}/question`, init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ answer: { count: 1 } }) } },
  { what: "read a run's artifacts", path: `/api/runs/${WORKFLOW}/artifacts` },
  { what: 'list flows', path: '/api/flows' },
  { what: 'read the OpenAPI document', path: '/api/openapi.json' },
  { what: "read the run's logs", path: `/api/ui/runs/${WORKFLOW}/${RUN}/logs` },
  { what: "download the run's logs", path: `/api/ui/runs/${WORKFLOW}/${RUN}/logs/download` },
  { what: "read the run's artifacts", path: `/api/ui/runs/${WORKFLOW}/${RUN}/artifacts` },
];

/** A 503 with the API's JSON error naming what is down, and no stack trace. */
async function assertUnavailable(label: string, res: Response, down: RegExp): Promise<void> {
  const text = await res.text();
  assert.equal(res.status, 503, `${label}: ${text.slice(0, 300)}`);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/, label);
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'unavailable', label);
  assert.match(body.error.message, down, label);
  assert.ok(!/\n\s+at |node_modules/.test(text), `${label}: no stack trace`);
}

/** Reads a download through node:http: how many bytes came, and whether the transfer ended cleanly. */
function download(app: WebApp, path: string, cookie: string, onFirstBytes: () => Promise<void>): Promise<{ status: number; bytes: number; clean: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, app.baseUrl), { headers: { cookie } }, (res) => {
      let bytes = 0;
      let paused = false;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (paused) return;
        paused = true;
        // Hold the transfer (the server can send only what the socket buffers take) while the outage begins.
        res.pause();
        onFirstBytes().then(() => res.resume(), reject);
      });
      res.on('end', () => resolve({ status: res.statusCode!, bytes, clean: res.complete }));
      res.on('error', () => resolve({ status: res.statusCode!, bytes, clean: false }));
      res.on('aborted', () => resolve({ status: res.statusCode!, bytes, clean: false }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the store stops (PostgreSQL)', () => {
  let pg: RestartablePostgres;
  let app: WebApp;
  let browser: Browser;
  let context: BrowserContext;
  let token = '';

  before(async () => {
    pg = await startRestartablePostgres();
    app = await startWebApp({ storeUrl: pg.url });
    browser = await launchBrowser();
    // Logged in before the outage, as the HTTP sessions below are.
    context = await loggedInContext(browser, app, 'viewer');
    const store = await openStore(pg.url, { migrate: true });
    try {
      token = (await createApiToken(store.db, { name: 'outage', role: 'operator', createdBy: null })).token;
      const pad = 'x'.repeat(1000);
      // Dated now: the app's retention sweeper deletes old lines.
      const now = Date.now();
      for (let from = 0; from < LINES; from += 5000) {
        await store.insertLogs(
          Array.from({ length: 5000 }, (_, i) => ({ time: now + from + i, level: 'info' as const, message: `line ${from + i} ${pad}`, workflowId: WORKFLOW, runId: RUN })),
        );
      }
    } finally {
      await store.close();
    }
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await app?.stop();
    await pg?.destroy();
  });

  test('while it runs, the whole download arrives and ends cleanly', async () => {
    const whole = await download(app, `/api/ui/runs/${WORKFLOW}/${RUN}/logs/download`, await app.cookie('viewer'), async () => undefined);
    assert.equal(whole.status, 200);
    assert.ok(whole.clean, 'the transfer ended cleanly');
    assert.ok(whole.bytes > LINES * 1000, `every line came: ${whole.bytes} bytes`);
  });

  test('a download it breaks off halfway ends as a failed transfer, not as a shorter file', async () => {
    // Logged in before the outage, so the sessions exist when the store is gone.
    const cookie = await app.cookie('viewer');
    await app.cookie('operator');

    const cut = await download(app, `/api/ui/runs/${WORKFLOW}/${RUN}/logs/download`, cookie, () => pg.stop());
    assert.equal(cut.status, 200, 'the download had begun');
    assert.ok(cut.bytes > 0 && cut.bytes < LINES * 1000, `part of the file came: ${cut.bytes} bytes`);
    assert.equal(cut.clean, false, 'the transfer must not end as if the file were complete');
    assert.match(app.output(), /the log download of run .* broke off/);
  });

  test('then every route answers 503 naming the store, to a token and to a session alike', async () => {
    for (const route of ROUTES) {
      await assertUnavailable(`${route.what} (token)`, await app.fetch(route.path, { ...route.init, token }), /the store is not answering/);
      const res = await app.fetch(route.path, { ...route.init, as: 'operator' });
      // An outage logs nobody out: the session cookie is not cleared.
      assert.ok(!res.headers.getSetCookie().some((c) => /session-token=;|Max-Age=0|expires=Thu, 01 Jan 1970/i.test(c)), `${route.what}: the session cookie is kept`);
      await assertUnavailable(`${route.what} (session)`, res, /the store is not answering/);
    }
    const health = await app.fetch('/api/health');
    assert.equal(health.status, 503);
    assert.deepEqual(await health.json(), { status: 'degraded', store: 'down', temporal: 'ok' });
    await assertUnavailable('Temporal Web', await app.fetch('/temporal', { as: 'operator' }), /the store is not answering/);
    // Logging in says why it cannot, rather than "wrong password".
    const { response } = await loginCookie(app.baseUrl, app.users.viewer.email, app.users.viewer.password);
    const { url } = (await response.json()) as { url: string };
    assert.match(new URL(url).searchParams.get('error') ?? '', /^Log-in is unavailable right now \(the store did not answer\)/);
  });

  test('pages show that they could not be loaded, and do not send the user to log in', async () => {
    let page: Page | undefined;
    try {
      page = await context.newPage();
      for (const path of ['/runs', '/flows', `/runs/${WORKFLOW}/${RUN}`, '/']) {
        await page.goto(`${app.baseUrl}${path}`);
        await page.getByRole('alert').filter({ hasText: 'This page could not be loaded' }).waitFor({ timeout: 30_000 });
        assert.equal(new URL(page.url()).pathname, path, `${path}: stays on the page`);
      }
    } finally {
      await page?.close();
    }
  });

  test('once it is back, the same sessions and token work again, without logging in', async () => {
    await pg.start();
    for (const route of ROUTES.filter((r) => r.path.startsWith('/api/ui/') || r.path === '/api/flows')) {
      assert.equal((await app.fetch(route.path, { as: 'operator' })).status, 200, `${route.what} (session)`);
      assert.equal((await app.fetch(route.path, { token })).status, 200, `${route.what} (token)`);
    }
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/flows`);
    await page.getByRole('heading', { name: 'Flows' }).waitFor({ timeout: 30_000 });
    assert.equal(new URL(page.url()).pathname, '/flows', 'still logged in');
  });
});

describe('Temporal does not answer (nobody listens at its address)', () => {
  let app: WebApp;
  let token = '';

  before(async () => {
    app = await startWebApp({ env: { TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` } });
    const store = await openStore(app.storeUrl);
    try {
      token = (await createApiToken(store.db, { name: 'outage', role: 'operator', createdBy: null })).token;
      const parametersSchema = { type: 'object', properties: {}, additionalProperties: false };
      await store.publishFlows('outage-queue', [{ name: FLOW, taskQueue: 'outage-queue', description: null, parametersSchema, deployments: [], updatedAt: Date.now() }]);
      await store.insertLogs([{ time: Date.now(), level: 'info', message: 'kept while Temporal is away', workflowId: WORKFLOW, runId: RUN }]);
    } finally {
      await store.close();
    }
  });

  after(() => app?.stop());

  test('routes that need Temporal answer 503 naming it; the run page\'s logs, read from the store, still answer', async () => {
    const needTemporal = ROUTES.filter((r) => !r.path.startsWith('/api/ui/') && r.path !== '/api/openapi.json');
    // At once: each waits for the client's connect timeout (10 s).
    await Promise.all(
      needTemporal.flatMap((route) => [
        app.fetch(route.path, { ...route.init, token }).then((res) => assertUnavailable(`${route.what} (token)`, res, /Temporal is not answering/)),
        app.fetch(route.path, { ...route.init, as: 'operator' }).then((res) => assertUnavailable(`${route.what} (session)`, res, /Temporal is not answering/)),
      ]),
    );
    const feed = await app.fetch(`/api/ui/runs/${WORKFLOW}/${RUN}/logs`, { as: 'viewer' });
    assert.equal(feed.status, 200);
    assert.deepEqual(((await feed.json()) as { lines: { message: string }[] }).lines.map((l) => l.message), ['kept while Temporal is away']);
    const file = await app.fetch(`/api/ui/runs/${WORKFLOW}/${RUN}/logs/download`, { as: 'viewer' });
    assert.equal(file.status, 200);
    assert.match(await file.text(), /kept while Temporal is away/);
    assert.equal((await app.fetch('/api/openapi.json', { token })).status, 200);
    const health = await app.fetch('/api/health');
    assert.equal(health.status, 503);
    assert.deepEqual(await health.json(), { status: 'degraded', store: 'ok', temporal: 'down' });
  });
});
