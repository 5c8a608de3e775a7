/**
 * Temporal Web through Sluice (/temporal), live: the real app (`next start`) forwarding to the suite's dev
 * server UI (served at /temporal, TEMPORAL_UI_UPSTREAM), a viewer reading a run's history in Chromium, and
 * the UI's own REST calls sent by hand with each role's session — refused (403) at Sluice, or let through;
 * and against a stand-in UI server, what crosses: paths, headers, policies, bodies (bounded).
 * The runs wait on a task queue no worker polls, so they stay running until a test ends them.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { Client, type WorkflowHandle, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { Browser } from 'playwright-core';
import { temporalNamespace, temporalWebUrl } from '../harness/env';
import { eventually } from '../harness/eventually';
import { testConnection, uniqueName } from '../harness/temporal';
import { launchBrowser, loggedInContext, startWebApp, type WebApp } from './harness';
import type { Role } from '../../web/lib/auth/roles';

let app: WebApp;
let browser: Browser;
let client: Client;
let close: () => Promise<void>;
const taskQueue = uniqueName('tweb-nobody');
const ns = temporalNamespace();
const started: WorkflowHandle[] = [];

async function startWaitingRun(): Promise<WorkflowHandleWithFirstExecutionRunId> {
  const handle = await client.workflow.start('twebWaits', { taskQueue, workflowId: uniqueName('tweb-run'), args: [] });
  started.push(handle);
  return handle;
}

const runApi = (h: WorkflowHandle, action: string) => `/temporal/api/v1/namespaces/${ns}/workflows/${encodeURIComponent(h.workflowId)}/${action}`;

/** The session cookie of `role` plus the UI server's CSRF cookie, and the matching header, as the UI sends them. */
async function uiCredentials(role: Role): Promise<Record<string, string>> {
  const cookie = await app.cookie(role);
  const page = await app.fetch(`/temporal/namespaces/${ns}/workflows`, { as: role });
  assert.equal(page.status, 200, `${role} opens Temporal Web`);
  const csrf = page.headers.getSetCookie().find((c) => c.startsWith('_csrf='));
  assert.ok(csrf, 'the UI server sets its CSRF cookie through Sluice');
  assert.match(csrf, /; Path=\/temporal(;|$)/, 'scoped to /temporal');
  const token = csrf.split(';')[0]!.slice('_csrf='.length);
  return { cookie: `${cookie}; _csrf=${token}`, 'x-csrf-token': token, 'content-type': 'application/json' };
}

async function terminate(role: Role, h: WorkflowHandleWithFirstExecutionRunId): Promise<Response> {
  return app.fetch(runApi(h, 'terminate'), {
    method: 'POST',
    headers: await uiCredentials(role),
    body: JSON.stringify({ workflowExecution: { workflowId: h.workflowId, runId: h.firstExecutionRunId }, reason: `by ${role}` }),
  });
}

async function status(h: WorkflowHandle): Promise<string> {
  return (await h.describe()).status.name;
}

before(async () => {
  const connection = await testConnection();
  client = new Client({ connection, namespace: ns });
  close = () => connection.close();
  app = await startWebApp();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await app?.stop();
  for (const h of started) await h.terminate('test over').catch(() => undefined);
  await close?.();
});

describe('without a session', () => {
  test('a page redirects to the log-in page (and back here afterwards); an API call gets 401', async () => {
    const page = await app.fetch(`/temporal/namespaces/${ns}/workflows?query=x`);
    assert.equal(page.status, 307);
    assert.equal(page.headers.get('location'), `/login?next=${encodeURIComponent(`/temporal/namespaces/${ns}/workflows?query=x`)}`);
    for (const method of ['GET', 'POST']) {
      const api = await app.fetch('/temporal/api/v1/settings', { method });
      assert.equal(api.status, 401, method);
      assert.equal(((await api.json()) as { error: { code: string } }).error.code, 'unauthorized');
    }
  });

  test('an API token is not a session here (tokens use /api)', async () => {
    const res = await app.fetch('/temporal/api/v1/settings', { token: 'slc_' + 'A'.repeat(43) });
    assert.equal(res.status, 401);
  });

  test('the UI server itself answers on 127.0.0.1 only', async () => {
    const ui = new URL(temporalWebUrl());
    assert.equal(ui.hostname, '127.0.0.1');
    const lan = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (lan) await assert.rejects(fetch(`http://${lan}:${ui.port}/temporal/`), 'not reachable from the network');
  });
});

describe('a viewer', () => {
  test("opens a run's history from Sluice's run page, in Temporal Web through Sluice, every request going to Sluice", async () => {
    const run = await startWaitingRun();
    const context = await loggedInContext(browser, app, 'viewer');
    const elsewhere: string[] = [];
    const failed: string[] = [];
    context.on('request', (r) => {
      if (/^https?:/.test(r.url()) && !r.url().startsWith(app.baseUrl)) elsewhere.push(r.url());
    });
    context.on('response', (r) => {
      // Its pages, assets and API calls alike: nothing the UI needs is outside what Sluice forwards.
      if (r.url().startsWith(`${app.baseUrl}/temporal/`) && r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    const runPage = await context.newPage();
    await runPage.goto(`${app.baseUrl}/runs/${encodeURIComponent(run.workflowId)}/${run.firstExecutionRunId}`);
    const link = runPage.getByTestId('temporal-web-link');
    const expected = `${app.baseUrl}/temporal/namespaces/${ns}/workflows/${encodeURIComponent(run.workflowId)}/${run.firstExecutionRunId}/history`;
    assert.equal(await link.getAttribute('href'), expected, '"Open in Temporal Web" goes through Sluice');
    const [page] = await Promise.all([context.waitForEvent('page'), link.click()]);
    // The header names the workflow; the history lists its first event.
    await page.getByText(run.workflowId).first().waitFor({ timeout: 60_000 });
    await page.getByText(/Workflow ?Execution ?Started/i).first().waitFor({ timeout: 60_000 });
    assert.ok((await page.content()).includes('twebWaits'), 'the workflow type is shown');
    assert.equal(new URL(page.url()).origin, app.baseUrl);
    assert.deepEqual(elsewhere, [], 'the browser never talks to the UI server itself');
    assert.deepEqual(failed, [], 'no call of the UI was refused or failed');
    await context.close();
  });

  test('reads through the REST API, and the UI is told to hide write actions', async () => {
    const run = await startWaitingRun();
    const history = await app.fetch(`${runApi(run, 'history')}?execution.runId=${run.firstExecutionRunId}`, { as: 'viewer' });
    assert.equal(history.status, 200);
    const events = ((await history.json()) as { history: { events: { eventType: string }[] } }).history.events;
    assert.match(events[0]!.eventType, /WORKFLOW_EXECUTION_STARTED|WorkflowExecutionStarted/);
    const settings = (await (await app.fetch('/temporal/api/v1/settings', { as: 'viewer' })).json()) as Record<string, unknown>;
    assert.equal(settings.DisableWriteActions, true);
  });

  test('a terminate sent by hand is refused with 403 at Sluice, and the run keeps running', async () => {
    const run = await startWaitingRun();
    const res = await terminate('viewer', run);
    assert.equal(res.status, 403);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'forbidden');
    assert.match(body.error.message, /terminate a run needs the operator role; you have the viewer role/);
    assert.equal(await status(run), 'RUNNING');
  });

  test('cancel, signal and schedule changes are refused too', async () => {
    const run = await startWaitingRun();
    const headers = await uiCredentials('viewer');
    for (const path of [runApi(run, 'cancel'), runApi(run, 'signal/go'), `/temporal/api/v1/namespaces/${ns}/schedules/nope/patch`, `/temporal/api/v1/namespaces/${ns}/workflows/${uniqueName('tweb-new')}`]) {
      const res = await app.fetch(path, { method: 'POST', headers, body: JSON.stringify({ patch: { pause: 'x' } }) });
      assert.equal(res.status, 403, path);
    }
    assert.equal((await app.fetch(`/temporal/api/v1/namespaces/${ns}/schedules/nope`, { method: 'DELETE', headers })).status, 403);
    assert.equal(await status(run), 'RUNNING');
  });
});

describe('an operator', () => {
  test('terminates a run through Temporal Web', async () => {
    const run = await startWaitingRun();
    const res = await terminate('operator', run);
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(await status(run), 'TERMINATED');
  });

  test('may not start a workflow, backfill a schedule or run batch operations (admin only)', async () => {
    const headers = await uiCredentials('operator');
    const id = uniqueName('tweb-new');
    const startBody = JSON.stringify({ workflowId: id, workflowType: { name: 'twebWaits' }, taskQueue: { name: taskQueue } });
    const refused: [string, string][] = [
      [`/temporal/api/v1/namespaces/${ns}/workflows/${id}`, startBody],
      [`/temporal/api/v1/namespaces/${ns}/schedules/nope/patch`, JSON.stringify({ patch: { backfillRequest: [{}] } })],
      [`/temporal/api/v1/namespaces/${ns}/batch-operations/${id}`, '{}'],
    ];
    for (const [path, body] of refused) {
      const res = await app.fetch(path, { method: 'POST', headers, body });
      assert.equal(res.status, 403, path);
      assert.match(((await res.json()) as { error: { message: string } }).error.message, /needs the admin role/);
    }
    await assert.rejects(client.workflow.getHandle(id).describe(), /not found/i);
  });
});

describe("the operator's rules hold in Sluice's namespace only", () => {
  test('a terminate or cancel in temporal-system or any other namespace is refused with 403, for admins only', async () => {
    const headers = await uiCredentials('operator');
    for (const other of ['temporal-system', `${ns}-other`]) {
      for (const action of ['terminate', 'cancel', 'signal/go']) {
        const res = await app.fetch(`/temporal/api/v1/namespaces/${other}/workflows/some-run/${action}`, { method: 'POST', headers, body: '{}' });
        assert.equal(res.status, 403, `${other} ${action}`);
        const { error } = (await res.json()) as { error: { message: string } };
        assert.match(error.message, new RegExp(`in the namespace ${other} \\(Sluice serves ${ns};.*needs the admin role; you have the operator role`));
      }
    }
    const patch = await app.fetch('/temporal/api/v1/namespaces/temporal-system/schedules/s/patch', { method: 'POST', headers, body: JSON.stringify({ patch: { pause: 'x' } }) });
    assert.equal(patch.status, 403);
  });
});

describe('an admin', () => {
  test('starts a workflow through Temporal Web', async () => {
    const headers = await uiCredentials('admin');
    const id = uniqueName('tweb-admin');
    const res = await app.fetch(`/temporal/api/v1/namespaces/${ns}/workflows/${id}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ workflowId: id, workflowType: { name: 'twebWaits' }, taskQueue: { name: taskQueue }, requestId: id }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const handle = client.workflow.getHandle(id);
    started.push(handle);
    assert.equal(await status(handle), 'RUNNING');
  });
});

/** A chunked body of `size` spaces (no Content-Length), made as it is read. */
function chunkedBody(size: number): { stream: ReadableStream<Uint8Array> } {
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= size) return controller.close();
      const n = Math.min(chunk.byteLength, size - sent);
      sent += n;
      controller.enqueue(chunk.slice(0, n));
    },
  });
  return { stream };
}

const UPSTREAM_POLICY = "base-uri 'self'; default-src 'none'; script-src 'nonce-abc'; sandbox allow-same-origin;";
const INLINE = "\n  window.started = 'yes';\n";

describe('the forwarding', () => {
  // A stand-in UI server that records what reaches it and answers like the real one would.
  const seen: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];
  const fake = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      if (req.url === '/temporal/api/v1/settings') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ DisableWriteActions: false, Version: '2.42.1' }));
        return;
      }
      if (req.url === '/temporal/namespaces/own-policy') {
        res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': UPSTREAM_POLICY }).end(`<html><body><script>${INLINE}</script><script src="/temporal/_app/x.js"></script></body></html>`);
        return;
      }
      if (req.url === '/temporal/namespaces/sizes') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end(String(body.length));
        return;
      }
      res.writeHead(302, {
        location: `http://127.0.0.1:${(fake.address() as AddressInfo).port}/temporal/namespaces/default/workflows?x=1`,
        'set-cookie': ['_csrf=abc; Path=/; Expires=Wed, 01 Jan 2031 00:00:00 GMT; SameSite=Strict', 'other=1; Path=/'],
        'x-frame-options': 'SAMEORIGIN',
      });
      res.end('moved');
    });
  });
  let proxied: WebApp;

  before(async () => {
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    proxied = await startWebApp({ env: { TEMPORAL_UI_UPSTREAM: `http://127.0.0.1:${(fake.address() as AddressInfo).port}` } });
  });
  after(async () => {
    await proxied?.stop();
    fake.close();
  });

  test("sends the path, query and body as they came, and never Sluice's cookies or an Authorization header", async () => {
    // An id with an encoded slash: a write through it needs an admin (access.ts), who is let through.
    const session = await proxied.cookie('admin');
    const path = `/temporal/api/v1/namespaces/default/workflows/a%2Fb%20c/terminate?x=1&y=%2F`;
    const body = JSON.stringify({ reason: 'x'.repeat(100_000) });
    const res = await proxied.fetch(path, {
      method: 'POST',
      headers: { cookie: `${session}; _csrf=tok; other=2`, 'x-csrf-token': 'tok', authorization: 'Bearer slc_whatever', 'content-type': 'application/json', 'x-forwarded-host': 'evil.example', 'x-http-method-override': 'DELETE' },
      body,
    });
    assert.equal(res.status, 302);
    const got = seen.at(-1)!;
    assert.equal(got.method, 'POST');
    assert.equal(got.url, path);
    assert.equal(got.body, body);
    assert.equal(got.headers.cookie, '_csrf=tok', 'only the UI server\'s own CSRF cookie');
    assert.equal(got.headers['x-csrf-token'], 'tok');
    for (const h of ['authorization', 'x-forwarded-host', 'x-http-method-override', 'x-sluice-path', 'origin']) assert.equal(got.headers[h], undefined, h);
  });

  test('rewrites what comes back: redirects to paths, only its CSRF cookie, scoped to /temporal', async () => {
    const res = await proxied.fetch('/temporal/namespaces/default', { as: 'viewer' });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/temporal/namespaces/default/workflows?x=1');
    // Secure as Sluice's own cookies are (the test app runs in production mode).
    assert.deepEqual(res.headers.getSetCookie(), ['_csrf=abc; Expires=Wed, 01 Jan 2031 00:00:00 GMT; Path=/temporal; SameSite=Strict; Secure']);
    assert.equal(res.headers.get('x-frame-options'), 'DENY', "the web app's own, not a second one");
  });

  test('a viewer is refused before anything reaches the UI server', async () => {
    const before = seen.length;
    const res = await proxied.fetch('/temporal/api/v1/namespaces/default/workflows/w/terminate', { method: 'POST', as: 'viewer', body: '{}' });
    assert.equal(res.status, 403);
    assert.equal(seen.length, before);
  });

  test("keeps the UI server's own Content-Security-Policy and adds Sluice's, which runs the page's inline script by its hash", async () => {
    const res = await proxied.fetch('/temporal/namespaces/own-policy', { as: 'viewer' });
    assert.equal(res.status, 200);
    const [own, sluice] = res.headers.get('content-security-policy')!.split(/,\s*/);
    assert.equal(own, UPSTREAM_POLICY, 'sent unchanged; a browser enforces both');
    const hash = createHash('sha256').update(INLINE).digest('base64');
    assert.match(sluice!, new RegExp(`script-src 'self' 'sha256-${hash.replace(/[+/]/g, '\\$&')}'(;|$)`));
  });

  test('a refused path never reaches the UI server', async () => {
    const before = seen.length;
    for (const path of ['/temporal/temporal/render?content=x', '/temporal/render', '/temporal/auth/sso', '/temporal/namespaces/%2e%2e/render']) {
      const res = await proxied.fetch(path, { as: 'admin' });
      assert.equal(res.status, 404, path);
    }
    assert.equal(seen.length, before);
  });

  test('a chunked 10 MB body is refused with 413 and never forwarded; Next itself kept no more than 5 MB of it', async () => {
    const before = seen.length;
    const cookie = await proxied.cookie('admin');
    for (const [path, limit] of [['/temporal/api/v1/namespaces/default/workflows/big', 4 * 1024 * 1024], ['/temporal/api/v1/namespaces/default/schedules/s/patch', 64 * 1024]] as const) {
      const body = chunkedBody(10_000_000);
      const res = await proxied.fetch(path, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: body.stream, duplex: 'half' } as RequestInit);
      assert.equal(res.status, 413, path);
      const { error } = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(error.code, 'payload_too_large');
      assert.match(error.message, new RegExp(`larger than ${limit} bytes`));
    }
    assert.equal(seen.length, before, 'nothing reached the UI server');
    await eventually(() => /Request body exceeded 5MB/.test(proxied.output()), 15_000, "Next's note that it kept only the first 5 MB");
  });

  test('a chunked body within the limit (3 MiB) is forwarded whole', async () => {
    const body = chunkedBody(3 * 1024 * 1024);
    const res = await proxied.fetch('/temporal/namespaces/sizes', { method: 'POST', headers: { cookie: await proxied.cookie('admin') }, body: body.stream, duplex: 'half' } as RequestInit);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), String(3 * 1024 * 1024));
  });

  test('an unreachable UI server is a 503 that names the setting', async () => {
    const down = await startWebApp({ env: { TEMPORAL_UI_UPSTREAM: 'http://127.0.0.1:9' } });
    try {
      const res = await down.fetch('/temporal/api/v1/settings', { as: 'viewer' });
      assert.equal(res.status, 503);
      assert.match(((await res.json()) as { error: { message: string } }).error.message, /TEMPORAL_UI_UPSTREAM/);
    } finally {
      await down.stop();
    }
  });
});
