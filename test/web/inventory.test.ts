// Walks EVERY page, route handler and server action of the built app (found from web/app and the build's
// action manifest, never from a hand-kept list) and proves each refuses an anonymous caller — both at
// the proxy (no cookie at all) and in the route's own check (a forged cookie the proxy lets through).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStore } from 'sluice/internal/store';
import { createApiToken } from '../../web/lib/auth/tokens';
import { pageOutcome, startWebApp, type WebApp } from './harness';

const APP = path.resolve(__dirname, '../../web/app');
const MANIFEST = path.resolve(__dirname, '../../web/.next/server/server-reference-manifest.json');
/** The only routes that answer without a session (the issue: log-in page and health check; next-auth's own endpoints are the log-in). */
const PUBLIC = new Set(['/login', '/api/health', '/api/auth/[...nextauth]']);
/** Routes whose credential is a signature made with a shared secret, not a session or token: any token is refused with 401. */
const SIGNED = new Set(['/api/triggers/[name]']);
// Passes the proxy's check (a cookie of the right name) but is no valid session.
const FORGED = '__Secure-next-auth.session-token=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..Zm9yZ2Vk.Zm9yZ2Vk.Zm9yZ2Vk';
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/**
 * Route handlers that serve pages and API calls both (Temporal Web through Sluice): checked at a page URL as
 * a page (sent to log in) and at an API URL as a route (401).
 */
const MIXED: Record<string, { page: string; api: string }> = {
  '/temporal/[[...path]]': { page: '/temporal/namespaces/default/workflows', api: '/temporal/api/v1/settings' },
};

interface Route {
  file: string;
  /** The route as written in the file system, e.g. /runs/[workflowId]/[runId]. */
  pattern: string;
  kind: 'page' | 'route';
  methods: string[];
}

function findRoutes(dir: string, segments: string[] = []): Route[] {
  const routes: Route[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      // _private folders are not routes; (groups) add no segment; @slots are parallel routes of their parent.
      if (entry.name.startsWith('_')) continue;
      const next = entry.name.startsWith('(') || entry.name.startsWith('@') ? segments : [...segments, entry.name];
      routes.push(...findRoutes(full, next));
      continue;
    }
    const pattern = '/' + segments.join('/');
    if (/^page\.(tsx|ts|jsx|js)$/.test(entry.name)) routes.push({ file: full, pattern, kind: 'page', methods: ['GET'] });
    if (/^route\.(ts|js)$/.test(entry.name)) {
      const source = readFileSync(full, 'utf8');
      const methods = METHODS.filter((m) =>
        new RegExp(`export\\s+(async\\s+)?(function|const)\\s+${m}\\b|export\\s*\\{[^}]*\\bas\\s+${m}\\b|export\\s*\\{[^}]*\\b${m}\\b[^}]*\\}`).test(source),
      );
      routes.push({ file: full, pattern, kind: 'route', methods });
    }
  }
  return routes;
}

/** A concrete URL for a pattern: each [param] gets a made-up value. */
function urlOf(pattern: string): string {
  return pattern
    .replace(/\/\[\[\.\.\.[^\]]+\]\]/g, '')
    .replace(/\[\.\.\.[^\]]+\]/g, 'any/thing')
    .replace(/\[[^\]]+\]/g, 'inventory-x') || '/';
}

const routes = findRoutes(APP);
let app: WebApp;

before(async () => {
  app = await startWebApp({ seed: false });
});
after(async () => {
  await app?.stop();
});

describe('the inventory itself', () => {
  test('finds the routes the app is known to have (so an empty walk cannot pass)', () => {
    const patterns = routes.map((r) => r.pattern);
    for (const known of ['/', '/login', '/runs', '/admin/users', '/api/runs', '/api/runs/[workflowId]', '/api/health', '/api/openapi.json', '/temporal/[[...path]]']) {
      assert.ok(patterns.includes(known), `${known} was not found under web/app`);
    }
    for (const r of routes.filter((r) => r.kind === 'route')) assert.ok(r.methods.length > 0, `${r.file} exports no HTTP method the walk recognises`);
  });
});

describe('every route refuses an anonymous request', () => {
  for (const route of routes) {
    if (PUBLIC.has(route.pattern)) continue;
    const mixed = MIXED[route.pattern];
    const checks: { kind: Route['kind']; url: string }[] = mixed
      ? [{ kind: 'page', url: mixed.page }, { kind: 'route', url: mixed.api }]
      : [{ kind: route.kind, url: urlOf(route.pattern) }];
    for (const method of route.methods) for (const { kind, url } of checks) {
      test(`${method} ${url === urlOf(route.pattern) ? route.pattern : url} (${path.relative(APP, route.file)})`, async () => {
        const body = method === 'GET' ? undefined : '{}';
        const headers = body ? { 'content-type': 'application/json' } : undefined;
        // 1. No cookie at all: the proxy answers.
        const bare = await app.fetch(url, { method, body, headers });
        // 2. A forged session cookie: the proxy lets it through; the route's own guard must refuse.
        const forged = await app.fetch(url, { method, body, headers: { ...headers, cookie: FORGED } });
        if (kind === 'page') {
          assert.equal(bare.status, 307, `no cookie: status ${bare.status}`);
          assert.match(bare.headers.get('location') ?? '', /^\/login/);
          const { outcome, body: html } = await pageOutcome(forged);
          assert.equal(outcome, 'login', `forged cookie: the page rendered (status ${forged.status}):\n${html.slice(0, 500)}`);
        } else {
          for (const [name, res] of [['no cookie', bare], ['forged cookie', forged]] as const) {
            assert.equal(res.status, 401, `${name}: status ${res.status}`);
            const json = (await res.json()) as { error?: { code?: string; message?: string } };
            assert.equal(json.error?.code, 'unauthorized', `${name}: ${JSON.stringify(json)}`);
            assert.ok(json.error?.message, 'a readable message');
          }
        }
      });
    }
  }

  test('a token that is not one is refused by every API route', async () => {
    for (const route of routes.filter((r) => r.kind === 'route' && !PUBLIC.has(r.pattern))) {
      // A method the route serves (an unserved one is answered 405 before anyone is asked who calls).
      const method = route.methods.includes('GET') ? 'GET' : route.methods[0]!;
      const body = method === 'GET' ? {} : { body: '{}', headers: { 'content-type': 'application/json' } };
      const res = await app.fetch(MIXED[route.pattern]?.api ?? urlOf(route.pattern), { method, token: 'slc_' + 'A'.repeat(43), ...body });
      assert.equal(res.status, 401, `${method} ${route.pattern}: ${res.status}`);
    }
  });

  test('a worker token is refused by every route and page but the worker API', async () => {
    const store = await openStore(app.storeUrl);
    let token: string;
    try {
      ({ token } = await createApiToken(store.db, { name: 'inventory-worker', role: 'worker', taskQueues: ['inventory'], createdBy: null }));
    } finally {
      await store.close();
    }
    const workerApi = routes.filter((r) => r.pattern.startsWith('/api/worker/'));
    assert.ok(workerApi.length > 0, 'the worker API is among the routes');
    for (const route of routes.filter((r) => !PUBLIC.has(r.pattern) && !r.pattern.startsWith('/api/worker/'))) {
      const method = route.methods.includes('GET') ? 'GET' : route.methods[0]!;
      const url = route.kind === 'page' ? urlOf(route.pattern) : (MIXED[route.pattern]?.api ?? urlOf(route.pattern));
      const res = await app.fetch(url, { method, token, ...(method === 'GET' ? {} : { body: '{}', headers: { 'content-type': 'application/json' } }) });
      if (route.kind === 'page') {
        // Pages take a session only: a token-only request is sent to log in, nothing rendered.
        assert.equal(res.status, 307, `${route.pattern}: ${res.status}`);
      } else {
        // Temporal Web takes a session only, a trigger a signature only (401); every other API route knows the token and refuses its role (403).
        assert.equal(res.status, MIXED[route.pattern] || SIGNED.has(route.pattern) ? 401 : 403, `${method} ${route.pattern}: ${res.status} ${await res.text()}`);
      }
    }
  });

  test('the public routes answer without a session', async () => {
    assert.equal((await app.fetch('/login')).status, 200);
    assert.ok([200, 503].includes((await app.fetch('/api/health')).status));
    assert.equal((await app.fetch('/api/auth/csrf')).status, 200);
  });
});

describe('every server action refuses an anonymous caller', () => {
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as {
    node: Record<string, { workers: Record<string, unknown>; filename?: string; exportedName?: string }>;
  };
  const actions = Object.entries(manifest.node);

  test('the build has server actions to check', () => {
    assert.ok(actions.length > 0, 'no server actions in the manifest');
  });

  for (const [id, action] of actions) {
    const worker = Object.keys(action.workers)[0]; // e.g. app/admin/users/page
    // app/flows/[flow]/(detail)/page → /flows/inventory-x: (groups) add no segment to the URL.
    const segments = worker.split('/').slice(1, -1).filter((s) => !s.startsWith('(') && !s.startsWith('@'));
    const pagePath = urlOf('/' + segments.join('/'));
    test(`${action.exportedName ?? id} (${action.filename ?? worker})`, async () => {
      const call = (cookie?: string) =>
        app.fetch(pagePath, {
          method: 'POST',
          // A server action call as React sends one, with no arguments: the role check must come first anyway.
          headers: { 'next-action': id, 'content-type': 'text/plain;charset=UTF-8', origin: app.baseUrl, accept: 'text/x-component', ...(cookie ? { cookie } : {}) },
          body: '[]',
        });
      const bare = await call();
      assert.equal(bare.status, 307, `no cookie: ${bare.status}`);
      const forged = await call(FORGED);
      const text = await forged.text();
      // authorizeAction's refusal, returned as the form's error. Anything else means the action did
      // something (or crashed on its missing input) before checking who called it.
      assert.match(text, /Your session has ended/, `forged cookie: the action answered ${forged.status} without refusing:\n${text.slice(0, 500)}`);
    });
  }
});
