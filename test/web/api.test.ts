// The HTTP API end to end: the built app (next start) on PostgreSQL, the suite's Temporal dev server and a
// real worker serving the fixture flows; programs authenticate with API tokens.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStore } from 'sluice/internal/store';
import { createApiToken, revokeApiToken } from '../../web/lib/auth/tokens';
import { eventually } from '../harness/eventually';
import { createTestDatabase, type TestDatabase } from '../harness/postgres';
import { FIXTURES } from '../harness/sluice';
import { uniqueName } from '../harness/temporal';
import { startWorker, type TestWorker } from '../harness/worker';
import { startWebApp, type WebApp } from './harness';

let db: TestDatabase;
let app: WebApp;
let worker: TestWorker;
const tokens = { viewer: '', operator: '', revoked: '' };
let revokedId = 0;

interface ErrorBody {
  error: { code: string; message: string; issues?: { path: string; message: string }[] };
}

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  return (await res.json()) as T;
}

function post(body: unknown, init: { token?: string; as?: 'viewer' | 'operator' | 'admin' } = {}) {
  return app.fetch('/api/runs', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

before(async () => {
  db = await createTestDatabase('webapi');
  app = await startWebApp({ storeUrl: db.url });
  worker = await startWorker({ taskQueue: uniqueName('webapi'), storeUrl: db.url, ...FIXTURES });
  const store = await openStore(db.url, { migrate: true });
  try {
    tokens.viewer = (await createApiToken(store.db, { name: 'read-script', role: 'viewer', createdBy: null })).token;
    tokens.operator = (await createApiToken(store.db, { name: 'ops-script', role: 'operator', createdBy: null })).token;
    const revoked = await createApiToken(store.db, { name: 'old-script', role: 'operator', createdBy: null });
    tokens.revoked = revoked.token;
    revokedId = revoked.apiToken.id;
  } finally {
    await store.close();
  }
  // The worker publishes its flows at start-up; the API serves them from the store.
  await eventually(async () => {
    const res = await app.fetch('/api/flows', { token: tokens.viewer });
    const { flows } = (await res.json()) as { flows: { name: string }[] };
    return flows.some((f) => f.name === 'validatedFlow');
  }, 30_000, 'the fixture flows in /api/flows');
});

after(async () => {
  await worker?.stop();
  await app?.stop();
  await db?.drop();
});

describe('authentication', () => {
  test('no token and no session: 401 with a JSON error saying what to send', async () => {
    const res = await post({ flow: 'validatedFlow', parameters: { count: 1, name: 'a' } });
    assert.equal(res.status, 401);
    const body = await json<ErrorBody>(res);
    assert.equal(body.error.code, 'unauthorized');
    assert.match(body.error.message, /Authorization: Bearer/);
  });

  test('a viewer token reads but cannot start runs (403)', async () => {
    assert.equal((await app.fetch('/api/runs', { token: tokens.viewer })).status, 200);
    const res = await post({ flow: 'validatedFlow', parameters: { count: 1, name: 'a' } }, { token: tokens.viewer });
    assert.equal(res.status, 403);
    assert.match((await json<ErrorBody>(res)).error.message, /operator role/);
  });

  test('a revoked token is refused (401), and its use is no longer counted', async () => {
    assert.equal((await app.fetch('/api/flows', { token: tokens.revoked })).status, 200);
    const store = await openStore(db.url, { migrate: true });
    try {
      await revokeApiToken(store.db, revokedId);
      assert.equal((await app.fetch('/api/flows', { token: tokens.revoked })).status, 401);
      const row = await store.db.selectFrom('api_tokens').selectAll().where('id', '=', revokedId).executeTakeFirstOrThrow();
      assert.ok(row.last_used_at, 'last_used_at was set while the token worked');
    } finally {
      await store.close();
    }
  });

  test('a malformed Authorization header is a 401, not a 500', async () => {
    const res = await app.fetch('/api/runs', { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    assert.equal(res.status, 401);
    assert.match((await json<ErrorBody>(res)).error.message, /Bearer <token>/);
  });
});

describe('starting and reading runs', () => {
  let started: { workflowId: string; runId: string; url: string };

  test('an operator token starts a run: 201 with its ids and its page', async () => {
    const res = await post({ flow: 'validatedFlow', parameters: { count: 2, name: 'api' } }, { token: tokens.operator });
    assert.equal(res.status, 201, await res.clone().text());
    started = await json(res);
    assert.ok(started.workflowId && started.runId);
    assert.equal(started.url, `${app.baseUrl}/runs/${encodeURIComponent(started.workflowId)}/${encodeURIComponent(started.runId)}`);
    assert.equal(res.headers.get('location'), `/api/runs/${encodeURIComponent(started.workflowId)}?runId=${encodeURIComponent(started.runId)}`);
  });

  test('GET /api/runs/{id} gives status, parameters, result and who started it', async () => {
    const run = await eventually(async () => {
      const r = await json<{ status: string; result: unknown; parameters: unknown; startedBy: string; flow: string }>(
        await app.fetch(`/api/runs/${encodeURIComponent(started.workflowId)}?runId=${started.runId}`, { token: tokens.viewer }),
      );
      return r.status === 'completed' && r;
    }, 30_000, 'the run to complete');
    assert.equal(run.result, 'api:2:fast');
    assert.deepEqual(run.parameters, { count: 2, name: 'api' });
    assert.equal(run.startedBy, 'token:ops-script');
    assert.equal(run.flow, 'validatedFlow');
  });

  test('GET /api/runs lists it, filtered by flow and by who started it', async () => {
    const listed = await eventually(async () => {
      const page = await json<{ runs: { workflowId: string }[] }>(
        await app.fetch('/api/runs?flow=validatedFlow&startedBy=token:ops-script&pageSize=10', { token: tokens.viewer }),
      );
      return page.runs.some((r) => r.workflowId === started.workflowId) && page;
    }, 30_000, 'the run in the list');
    assert.ok(listed.runs.length >= 1);
    const other = await json<{ runs: unknown[] }>(await app.fetch('/api/runs?flow=chattyFlow&startedBy=token:ops-script', { token: tokens.viewer }));
    assert.ok(!JSON.stringify(other).includes(started.workflowId));
  });

  test('parameters that fail the flow schema: 422 with each field, and nothing starts', async () => {
    // Other test files run as the same operator on the same Temporal: only this flow's runs from now on count.
    const since = Date.now() - 1_000;
    const res = await post({ flow: 'validatedFlow', parameters: { count: 0, mode: 'turbo' } }, { as: 'operator' });
    assert.equal(res.status, 422);
    const body = await json<ErrorBody>(res);
    assert.equal(body.error.code, 'invalid_parameters');
    const paths = body.error.issues!.map((i) => i.path).sort();
    assert.deepEqual(paths, ['count', 'mode', 'name']);
    // The operator's session started nothing: their later good run is the only one of this flow listed as theirs.
    const ok = await json<{ workflowId: string }>(await post({ flow: 'validatedFlow', parameters: { count: 1, name: 'ok' } }, { as: 'operator' }));
    const mine = await eventually(async () => {
      const p = await json<{ runs: { workflowId: string; startTime: string }[] }>(
        await app.fetch(`/api/runs?flow=validatedFlow&startedBy=${encodeURIComponent(`user:${app.users.operator.email}`)}`, { as: 'viewer' }),
      );
      const recent = p.runs.filter((r) => Date.parse(r.startTime) >= since);
      return recent.some((r) => r.workflowId === ok.workflowId) && recent;
    }, 30_000, "the operator's run in the list");
    assert.deepEqual(mine.map((r) => r.workflowId), [ok.workflowId]);
  });

  test('a flow its task queue stopped declaring: 409 saying so, and it stays listed as gone', async () => {
    const queue = uniqueName('retired');
    const store = await openStore(db.url, { migrate: true });
    try {
      const entry = { name: 'retiredFlow', taskQueue: queue, description: null, parametersSchema: { type: 'object', properties: {} }, deployments: [], updatedAt: Date.now() };
      await store.publishFlows(queue, [entry]);
      await store.publishFlows(queue, []);
    } finally {
      await store.close();
    }
    const res = await post({ flow: 'retiredFlow', parameters: {} }, { token: tokens.operator });
    assert.equal(res.status, 409);
    const { error } = await json<ErrorBody>(res);
    assert.equal(error.code, 'conflict');
    assert.match(error.message, new RegExp(`Flow retiredFlow is no longer served: its task queue ${queue} stopped declaring it at \\d{4}-`));
    const { flows } = await json<{ flows: { name: string; taskQueue: string; goneAt: string | null }[] }>(await app.fetch('/api/flows', { token: tokens.viewer }));
    const gone = flows.find((f) => f.name === 'retiredFlow');
    assert.equal(gone?.taskQueue, queue);
    assert.ok(gone?.goneAt && Date.parse(gone.goneAt) > 0);
  });

  test('unknown flow, deployment or run: 404', async () => {
    const flow = await post({ flow: 'noSuchFlow', parameters: {} }, { token: tokens.operator });
    assert.equal(flow.status, 404);
    assert.match((await json<ErrorBody>(flow)).error.message, /Unknown flow "noSuchFlow"/);
    const deployment = await post({ flow: 'validatedFlow', deployment: 'nightly' }, { token: tokens.operator });
    assert.equal(deployment.status, 404);
    assert.equal((await json<ErrorBody>(deployment)).error.code, 'not_found');
    const run = await app.fetch('/api/runs/no-such-run', { token: tokens.viewer });
    assert.equal(run.status, 404);
    assert.equal((await app.fetch('/api/runs/no-such-run/logs', { token: tokens.viewer })).status, 404);
  });

  test('bad bodies and queries: 400 with the issues, never a 500', async () => {
    const cases: [Promise<Response>, RegExp][] = [
      [post('not json', { token: tokens.operator }), /must be JSON/],
      [post({ flow: 'validatedFlow', parameters: [1, 2] }, { token: tokens.operator }), /parameters must be a JSON object/],
      [post({ flow: '', extra: 1 }, { token: tokens.operator }), /flow must not be empty/],
      [app.fetch('/api/runs?status=exploded', { token: tokens.viewer }), /status must be one of running/],
      [app.fetch('/api/runs?pageSize=0', { token: tokens.viewer }), /pageSize must be at least 1/],
      [app.fetch('/api/runs?after=yesterday', { token: tokens.viewer }), /after must be an ISO 8601 time/],
      [app.fetch('/api/runs?flow=a&flow=b', { token: tokens.viewer }), /'flow' is given more than once/],
      [app.fetch('/api/runs/x/logs?minLevel=loud', { token: tokens.viewer }), /minLevel must be one of debug/],
    ];
    for (const [pending, message] of cases) {
      const res = await pending;
      const body = await json<ErrorBody>(res);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(body.error.code, 'bad_request');
      assert.match(body.error.message, message);
      assert.ok(!/\n\s+at /.test(JSON.stringify(body)), 'no stack trace');
    }
  });

  test("a failed run's failure is readable, without a stack trace", async () => {
    const ref = await json<{ workflowId: string; runId: string }>(await post({ flow: 'overrideFlow', parameters: {} }, { token: tokens.operator }));
    const run = await eventually(async () => {
      const r = await json<{ status: string; failure: Record<string, unknown> | null; tasks: { lastFailure: Record<string, unknown> | null }[] }>(
        await app.fetch(`/api/runs/${encodeURIComponent(ref.workflowId)}`, { token: tokens.viewer }),
      );
      return r.status === 'failed' && r;
    }, 30_000, 'the run to fail');
    assert.match(JSON.stringify(run.failure), /broken for good/);
    assert.ok(run.failure && !('stack' in run.failure));
    assert.ok(run.tasks.every((t) => !t.lastFailure || !('stack' in t.lastFailure)));
  });
});

describe('logs', () => {
  test("a run's lines, filtered by level and text, paged by id", async () => {
    const ref = await json<{ workflowId: string; runId: string }>(await post({ flow: 'chattyFlow', parameters: { n: 3 } }, { token: tokens.operator }));
    const base = `/api/runs/${encodeURIComponent(ref.workflowId)}/logs`;
    const all = await eventually(async () => {
      const page = await json<{ logs: { id: number; level: string; message: string }[]; runId: string }>(await app.fetch(base, { token: tokens.viewer }));
      return page.logs.some((l) => l.message === 'flow says goodbye') && page;
    }, 30_000, 'the run to log its last line');
    assert.equal(all.runId, ref.runId);
    const messages = all.logs.map((l) => l.message);
    for (const m of ['flow line', 'task line', 'careful now', 'flow says goodbye']) assert.ok(messages.includes(m), `${m} in ${messages}`);

    const errors = await json<{ logs: { level: string }[] }>(await app.fetch(`${base}?runId=${ref.runId}&minLevel=warn`, { token: tokens.viewer }));
    assert.ok(errors.logs.length >= 2 && errors.logs.every((l) => l.level === 'warn' || l.level === 'error'));
    const found = await json<{ logs: { message: string }[] }>(await app.fetch(`${base}?search=CAREFUL`, { token: tokens.viewer }));
    assert.deepEqual(found.logs.map((l) => l.message), ['careful now']);

    const first = await json<{ logs: { id: number }[]; nextAfterId: number | null }>(await app.fetch(`${base}?limit=1`, { token: tokens.viewer }));
    assert.equal(first.logs.length, 1);
    assert.equal(first.nextAfterId, first.logs[0].id);
    const rest = await json<{ logs: { id: number }[] }>(await app.fetch(`${base}?afterId=${first.nextAfterId}`, { token: tokens.viewer }));
    assert.deepEqual([first.logs[0].id, ...rest.logs.map((l) => l.id)], all.logs.map((l) => l.id));
  });
});

describe('discovery', () => {
  test('/api/openapi.json describes every API route (found in web/app/api), for logged-in callers only', async () => {
    assert.equal((await app.fetch('/api/openapi.json')).status, 401);
    const doc = await json<{ openapi: string; servers: { url: string }[]; paths: Record<string, Record<string, unknown>> }>(
      await app.fetch('/api/openapi.json', { token: tokens.viewer }),
    );
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(doc.servers[0].url, app.baseUrl);
    const apiDir = path.resolve(__dirname, '../../web/app/api');
    const walk = (dir: string, prefix: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        if (e.isDirectory()) return ['_lib', 'auth', 'ui'].includes(e.name) ? [] : walk(path.join(dir, e.name), `${prefix}/${e.name}`);
        return e.name === 'route.ts' ? [prefix.replace(/\[([^\]]+)\]/g, '{$1}')] : [];
      });
    const routes = walk(apiDir, '/api');
    assert.ok(routes.length >= 6);
    for (const route of routes) assert.ok(doc.paths[route], `${route} is missing from the OpenAPI document`);
    assert.ok(doc.paths['/api/runs'].post && doc.paths['/api/runs'].get);

    // Starting a run: one body per flow that can start now, its parameters being the flow's own schema.
    type Variant = { properties: { flow: { const: string }; parameters: { $ref?: string; allOf?: { $ref?: string }[] } } };
    const post = doc.paths['/api/runs'].post as { requestBody: { content: Record<string, { schema: { oneOf: Variant[] } }> } };
    const variants = post.requestBody.content['application/json'].schema.oneOf;
    const validated = variants.find((v) => v.properties.flow.const === 'validatedFlow');
    assert.ok(validated, 'validatedFlow can be started');
    assert.ok(!variants.some((v) => v.properties.flow.const === 'retiredFlow'), 'a gone flow is not offered');
    const ref = validated.properties.parameters.$ref ?? validated.properties.parameters.allOf?.[0].$ref;
    const schemas = (doc as unknown as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } }).components.schemas;
    assert.deepEqual(Object.keys(schemas[ref!.replace('#/components/schemas/', '')].properties).sort(), ['count', 'mode', 'name']);
  });

  test('/api/health answers without a session: store and Temporal are up', async () => {
    const res = await app.fetch('/api/health');
    assert.equal(res.status, 200);
    assert.deepEqual(await json(res), { status: 'ok', store: 'ok', temporal: 'ok' });
  });

  test('GET /api/flows lists flows with their parameter schema', async () => {
    const { flows } = await json<{ flows: { name: string; parametersSchema: { properties?: Record<string, unknown> } }[] }>(
      await app.fetch('/api/flows', { as: 'viewer' }),
    );
    const validated = flows.find((f) => f.name === 'validatedFlow');
    assert.deepEqual(Object.keys(validated?.parametersSchema.properties ?? {}).sort(), ['count', 'mode', 'name']);
  });
});
