/**
 * No script of anyone's runs on Sluice's origin through Temporal Web. The Temporal UI server (2.42) has a
 * markdown page that echoes the HTML in its query; its unanchored public-path rewrite made it reachable at
 * /temporal/temporal/render, and a link was enough to run a script in a logged-in admin's session. Here an
 * admin's Chromium opens that page by every spelling we could think of (double prefixes, encoded and double-
 * encoded slashes, dot segments, case, trailing slashes, the page named only in the query, POST), and the
 * same paths are sent raw (node:http, so nothing normalises them) with GET, HEAD and POST. Any dialog, any call
 * of the marker the payload makes, or any HTML answer whose policies would let an injected script run fails.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { temporalNamespace } from '../harness/env';
import { eventually } from '../harness/eventually';
import { launchBrowser, loggedInContext, rawFetch, startWebApp, type WebApp } from './harness';

let app: WebApp;
let browser: Browser;
let context: BrowserContext;
/** Every sign of a script that ran: dialogs and calls of the marker the payload makes. */
const ran: string[] = [];
const ns = temporalNamespace();

// Each way a script could run from injected HTML: an event-handler attribute, a script element, SVG.
const PAYLOAD = [
  `<img src=x onerror="window.__xssMarker && __xssMarker('img ' + location.href); alert(document.domain)">`,
  `<script>window.__xssMarker && __xssMarker('script ' + location.href); alert(1)</script>`,
  `<svg onload="window.__xssMarker && __xssMarker('svg ' + location.href)"></svg>`,
].join('');
const CONTENT = `content=${encodeURIComponent(PAYLOAD)}`;

/** Paths (raw, as sent) that reached the markdown page, or might, with other servers or other spellings. */
const VARIANTS = [
  `/temporal/temporal/render?${CONTENT}`,
  `/temporal/render?${CONTENT}`,
  `/temporal/RENDER?${CONTENT}`,
  `/temporal/Temporal/render?${CONTENT}`,
  `/temporal/temporal/RENDER?${CONTENT}`,
  `/temporal/TEMPORAL/RENDER?${CONTENT}`,
  `/Temporal/temporal/render?${CONTENT}`,
  `/TEMPORAL/render?${CONTENT}`,
  `/temporal/temporal/render/?${CONTENT}`,
  `/temporal/temporal/render//?${CONTENT}`,
  `/temporal//temporal/render?${CONTENT}`,
  `/temporal/temporal/temporal/render?${CONTENT}`,
  `/temporal/x/temporal/render?${CONTENT}`,
  `/temporal/namespaces/temporal/render?${CONTENT}`,
  `/temporal/temporal%2Frender?${CONTENT}`,
  `/temporal%2Ftemporal%2Frender?${CONTENT}`,
  `/temporal/temporal%252Frender?${CONTENT}`,
  `/temporal/temporal%5Crender?${CONTENT}`,
  `/temporal/%74emporal/render?${CONTENT}`,
  `/temporal/temporal/%72ender?${CONTENT}`,
  `/temporal/temporal/./render?${CONTENT}`,
  `/temporal/./temporal/render?${CONTENT}`,
  `/temporal/x/../temporal/render?${CONTENT}`,
  `/temporal/temporal/%2e/render?${CONTENT}`,
  `/temporal/namespaces/%2e%2e/temporal/render?${CONTENT}`,
  `/temporal/namespaces/..%2Ftemporal/render?${CONTENT}`,
  `/temporal/_app/../temporal/render?${CONTENT}`,
  `/temporal/temporal/render;x?${CONTENT}`,
  `/temporal/temporal/render.html?${CONTENT}`,
  `/temporal/api/v1/../../temporal/render?${CONTENT}`,
  // The page named only in the query: the UI server's rewrite looks for its prefix anywhere in path and query.
  `/temporal?x=/temporal/temporal/render?${CONTENT}`,
  `/temporal/?x=/temporal/temporal/render?${CONTENT}`,
  `/temporal/namespaces?x=/temporal/temporal/render?${CONTENT}`,
  `/temporal/api/v1/settings?x=/temporal/temporal/render?${CONTENT}`,
  `/temporal/namespaces/${ns}/workflows?${CONTENT}`,
  `/temporal/namespaces/${ns}/workflows?query=${encodeURIComponent(PAYLOAD)}`,
];

/** The directives of each policy in a Content-Security-Policy header (a browser enforces every one). */
function policies(header: string | null): Map<string, string>[] {
  return (header ?? '')
    .split(',')
    .map((p) => new Map(p.split(';').map((d) => d.trim()).filter(Boolean).map((d) => d.split(/\s+(.*)/s, 2) as [string, string])))
    .filter((p) => p.size > 0);
}

/** Whether one of the policies keeps injected markup from running: a sandbox without scripts, or no inline scripts. */
function forbidsInjectedScripts(header: string | null): boolean {
  return policies(header).some((p) => {
    if (p.has('sandbox') && !/allow-scripts/.test(p.get('sandbox') ?? '')) return true;
    const scripts = p.get('script-src') ?? p.get('default-src');
    return scripts !== undefined && !/'unsafe-inline'|\*|data:|https?:/.test(scripts);
  });
}

/** An answer is harmless when it is not HTML, or HTML under a policy that keeps the payload from running and without its markup. */
function assertHarmless(what: string, res: Response, body: string): void {
  assert.ok(!body.includes('Rendered Markdown'), `${what}: answered with the markdown page (${res.status})`);
  const type = res.headers.get('content-type') ?? '';
  if (!/html/i.test(type)) return;
  const csp = res.headers.get('content-security-policy');
  assert.ok(forbidsInjectedScripts(csp), `${what}: ${res.status} ${type} with a policy that lets injected scripts run: ${csp}`);
  // Markup, not text: Sluice's own pages may quote the address they were asked for, escaped.
  for (const markup of ['<img src=x onerror=', '<script>window.__xssMarker', '<svg onload=']) {
    assert.ok(!body.includes(markup), `${what}: the payload came back as markup in HTML (${res.status})`);
  }
}

before(async () => {
  app = await startWebApp();
  browser = await launchBrowser();
  context = await loggedInContext(browser, app, 'admin');
  context.setDefaultTimeout(30_000);
  await context.exposeBinding('__xssMarker', (_source, where: string) => void ran.push(`marker: ${where}`));
  context.on('page', (page) => watchDialogs(page));
});

after(async () => {
  await context?.close();
  await browser?.close();
  await app?.stop();
});

function watchDialogs(page: Page): void {
  page.on('dialog', (dialog) => {
    ran.push(`${dialog.type()} "${dialog.message()}" on ${page.url()}`);
    void dialog.dismiss().catch(() => undefined);
  });
}

describe("Temporal Web's markdown page, by every spelling, in an admin's browser", () => {
  test('the payload is noticed where nothing stops it (so the checks below can fail)', async () => {
    const page = await context.newPage();
    await page.setContent(PAYLOAD);
    await eventually(() => ['marker: img', 'marker: script', 'marker: svg', 'alert'].every((sign) => ran.some((r) => r.startsWith(sign))), 15_000, `every sign of the payload (seen: ${ran.join('; ')})`);
    await page.close();
    ran.length = 0;
  });

  test('is refused at Sluice (404 JSON, nothing forwarded)', async () => {
    const res = await app.fetch(`/temporal/temporal/render?${CONTENT}`, { as: 'viewer' });
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'not_found');
    assert.match(body.error.message, /not one of Temporal Web's pages, assets or API/);
  });

  test('no variant opened in the browser runs a script; every HTML answer forbids injected scripts', async () => {
    const page = await context.newPage();
    for (const path of VARIANTS) {
      const res = await page.goto(`${app.baseUrl}${path}`, { waitUntil: 'load' });
      assert.ok(res, path);
      assert.deepEqual(ran, [], `no script ran at ${path}`);
      assert.notEqual(await page.title(), 'Rendered Markdown', path);
      const headers = await res.allHeaders();
      if (/html/i.test(headers['content-type'] ?? '')) {
        assert.ok(forbidsInjectedScripts(headers['content-security-policy'] ?? null), `${path}: ${res.status()} HTML with ${headers['content-security-policy']}`);
      }
    }
    // The same, posted by a form (a cross-site form would be refused by the UI server's CSRF check; this one
    // is sent from Sluice's own page, the strongest case).
    for (const path of VARIANTS.slice(0, 12)) {
      const from = await context.newPage();
      await from.goto(`${app.baseUrl}/flows`);
      await from.evaluate(([action, content]) => {
        const form = Object.assign(document.createElement('form'), { method: 'POST', action });
        form.append(Object.assign(document.createElement('input'), { name: 'content', value: content }));
        document.body.append(form);
        form.submit();
      }, [path, PAYLOAD]);
      await from.waitForURL((url) => url.pathname !== '/flows', { waitUntil: 'load' });
      assert.deepEqual(ran, [], `no script ran after POST ${path}`);
      assert.notEqual(await from.title(), 'Rendered Markdown', `POST ${path}`);
      await from.close();
    }
    await page.close();
    assert.deepEqual(ran, [], 'no script ran');
  });

  test('sent raw with GET, HEAD and POST: no HTML answer lets the payload run', async () => {
    const cookie = await app.cookie('admin');
    for (const path of [...VARIANTS, '/temporal\\temporal\\render?' + CONTENT, '/temporal/temporal/.%2e/temporal/render?' + CONTENT]) {
      for (const method of ['GET', 'HEAD', 'POST']) {
        const res = await rawFetch(app.baseUrl, method, path, { cookie, 'content-type': 'application/x-www-form-urlencoded' });
        assertHarmless(`${method} ${path}`, res, await res.text());
      }
    }
  });
});

describe("Temporal Web's own start-up page", () => {
  test("keeps a policy that runs its own start-up script by hash and nothing injected; the UI server's own policy is kept", async () => {
    const res = await app.fetch(`/temporal/namespaces/${ns}/workflows`, { as: 'viewer' });
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy');
    assert.ok(forbidsInjectedScripts(csp), String(csp));
    const sluice = policies(csp).find((p) => p.has('script-src') && p.has('frame-ancestors'))!;
    assert.match(sluice.get('script-src')!, /^'self'( 'sha256-[A-Za-z0-9+/=]+')+$/);
    assert.equal(sluice.get('frame-ancestors'), "'none'");
  });
});
