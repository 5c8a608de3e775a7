// Security headers of the real app (next start, production): a nonce-based Content-Security-Policy that
// Sluice's pages and Temporal Web (served through Sluice at /temporal) both run under without a single
// violation in Chromium, HSTS over https only, and the client address the per-address log-in limit counts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, type WorkflowHandle } from '@temporalio/client';
import type { BrowserContext, Browser } from 'playwright-core';
import { openStore } from 'sluice/internal/store';
import { temporalNamespace } from '../harness/env';
import { eventually } from '../harness/eventually';
import { testConnection, uniqueName } from '../harness/temporal';
import { launchBrowser, loggedInContext, startWebApp, type WebApp } from './harness';

let app: WebApp;
/** Behind one trusted reverse proxy (SLUICE_TRUST_PROXY=1). */
let proxied: WebApp;
let browser: Browser;
let client: Client;
let closeConnection: () => Promise<void>;
const runs: WorkflowHandle[] = [];
const ns = temporalNamespace();

before(async () => {
  const connection = await testConnection();
  client = new Client({ connection, namespace: ns });
  closeConnection = () => connection.close();
  [app, proxied, browser] = await Promise.all([startWebApp(), startWebApp({ env: { SLUICE_TRUST_PROXY: '1' } }), launchBrowser()]);
});
after(async () => {
  await browser?.close();
  await Promise.all([app?.stop(), proxied?.stop()]);
  for (const run of runs) await run.terminate('test over').catch(() => undefined);
  await closeConnection?.();
});

/** The directives of a Content-Security-Policy header, by name. */
function directives(csp: string | null): Map<string, string> {
  assert.ok(csp, 'a Content-Security-Policy is sent');
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+(.*)/s, 2) as [string, string]));
}

describe('headers', () => {
  test("Sluice's pages: a CSP whose nonce is on the page's scripts, no framing, nosniff, referrer policy, no HSTS over http", async () => {
    const res = await app.fetch('/runs', { as: 'viewer' });
    assert.equal(res.status, 200);
    const csp = directives(res.headers.get('content-security-policy'));
    const nonce = /'nonce-([^']+)'/.exec(csp.get('script-src') ?? '')?.[1];
    assert.ok(nonce, `a nonce in script-src: ${csp.get('script-src')}`);
    assert.doesNotMatch(csp.get('script-src')!, /unsafe-inline|unsafe-eval/);
    assert.equal(csp.get('frame-ancestors'), "'none'");
    assert.equal(csp.get('object-src'), "'none'");
    const html = await res.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    assert.ok(scripts.length > 0);
    for (const script of scripts) assert.ok(script.includes(`nonce="${nonce}"`), `every script carries the nonce: ${script}`);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('referrer-policy'), 'same-origin');
    assert.equal(res.headers.get('strict-transport-security'), null);
    // A new nonce for every answer.
    const again = (await app.fetch('/runs', { as: 'viewer' })).headers.get('content-security-policy');
    assert.notEqual(again, res.headers.get('content-security-policy'));
  });

  test('the log-in page, redirects and API answers carry them too', async () => {
    for (const res of [await app.fetch('/login'), await app.fetch('/runs'), await app.fetch('/api/runs'), await app.fetch('/api/runs', { as: 'viewer' })]) {
      assert.ok(res.headers.get('content-security-policy'), `${res.url} ${res.status}`);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    }
  });

  test("Temporal Web gets a policy of its own: its inline start-up script may run (by hash), nothing from elsewhere, no framing", async () => {
    const res = await app.fetch(`/temporal/namespaces/${ns}/workflows`, { as: 'viewer' });
    assert.equal(res.status, 200);
    const csp = directives(res.headers.get('content-security-policy'));
    assert.match(csp.get('script-src') ?? '', /^'self'( 'sha256-[A-Za-z0-9+/=]+')+$/);
    assert.equal(csp.get('default-src'), "'self'");
    assert.equal(csp.get('connect-src'), "'self'");
    assert.equal(csp.get('frame-ancestors'), "'none'");
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
  });

  test('HSTS when the request came over https through a trusted proxy; a client cannot claim https by itself', async () => {
    const viaProxy = await proxied.fetch('/login', { headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(viaProxy.headers.get('strict-transport-security'), 'max-age=31536000');
    assert.equal((await proxied.fetch('/login')).headers.get('strict-transport-security'), null);
    const claimed = await app.fetch('/login', { headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(claimed.headers.get('strict-transport-security'), null, 'without SLUICE_TRUST_PROXY the socket decides');
  });
});

describe('the client address of the per-address log-in limit', () => {
  /** One failed log-in sent with these headers; returns the addresses counted in the store afterwards. */
  async function failFrom(web: WebApp, headers: Record<string, string>): Promise<Map<string, number>> {
    const csrf = await fetch(`${web.baseUrl}/api/auth/csrf`);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const cookie = csrf.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    await fetch(`${web.baseUrl}/api/auth/callback/credentials`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers },
      body: new URLSearchParams({ csrfToken, email: 'nobody@sluice.test', password: 'not a password', json: 'true' }),
    });
    const store = await openStore(web.storeUrl);
    try {
      const rows = await store.db.selectFrom('login_failures_by_address').selectAll().execute();
      return new Map(rows.map((r) => [r.address, Number(r.failures)]));
    } finally {
      await store.close();
    }
  }

  test('facing clients directly, the socket address counts: a made-up X-Forwarded-For is ignored', async () => {
    const counted = await failFrom(app, { 'x-forwarded-for': '203.0.113.99' });
    assert.equal(counted.get('203.0.113.99'), undefined);
    assert.equal(counted.get('127.0.0.1'), 1);
    // Said in the server log, since an undeclared reverse proxy would make all its users one address.
    await eventually(() => /A request from 127\.0\.0\.1 carried X-Forwarded-For, and it was ignored: SLUICE_TRUST_PROXY is not set\. If 127\.0\.0\.1 is your reverse proxy, add it to SLUICE_TRUST_PROXY/.test(app.output()), 5_000, 'the warning in the server log');
  });

  test("behind one trusted proxy, the address that proxy appended counts (not the client's own claim before it)", async () => {
    const counted = await failFrom(proxied, { 'x-forwarded-for': '10.9.9.9, 198.51.100.23' });
    assert.equal(counted.get('198.51.100.23'), 1);
    assert.equal(counted.get('10.9.9.9'), undefined);
  });
});

describe('in the browser, under the policy', () => {
  /** Collects CSP violations of every page of a context: console reports and securitypolicyviolation events. */
  async function watchViolations(context: BrowserContext): Promise<string[]> {
    const seen: string[] = [];
    await context.exposeFunction('reportViolation', (text: string) => seen.push(text));
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) =>
        (window as unknown as { reportViolation(t: string): void }).reportViolation(`${e.violatedDirective} blocked ${e.blockedURI} on ${location.pathname}`),
      );
    });
    context.on('console', (message) => {
      if (/Content Security Policy|Refused to (execute|load|apply|connect)/i.test(message.text())) seen.push(message.text());
    });
    return seen;
  }

  test("a run page and its history in Temporal Web work, with no violation", async () => {
    const run = await client.workflow.start('cspWaits', { taskQueue: uniqueName('csp-nobody'), workflowId: uniqueName('csp-run'), args: [] });
    runs.push(run);
    const context = await loggedInContext(browser, app, 'viewer');
    try {
      const violations = await watchViolations(context);
      const page = await context.newPage();
      await page.goto(`${app.baseUrl}/runs/${encodeURIComponent(run.workflowId)}/${run.firstExecutionRunId}`);
      await page.getByText(run.workflowId).first().waitFor();
      // Next's scripts ran (they were allowed by the nonce): its runtime is there.
      await page.waitForFunction(() => 'next' in window);
      const [history] = await Promise.all([context.waitForEvent('page'), page.getByTestId('temporal-web-link').click()]);
      await history.getByText(/Workflow ?Execution ?Started/i).first().waitFor({ timeout: 60_000 });
      await page.goto(`${app.baseUrl}/flows`);
      await page.getByRole('heading', { name: 'Flows' }).first().waitFor();
      assert.deepEqual(violations, []);
    } finally {
      await context.close();
    }
  });
});
