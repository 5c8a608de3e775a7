// Bad input to the HTTP API, by hand: the built app (next start) on PostgreSQL and the suite's Temporal. Each
// request gets a 4xx with a JSON error that says what was wrong and where — never a 5xx — and no refused
// request starts a run: after each group, a good run is started and, once it is listed, it must be the only
// new run on the flow's task queue (no worker serves the queue, so started runs simply stay running).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { openStore } from 'sluice/internal/store';
import { createApiToken } from '../../web/lib/auth/tokens';
import { temporalNamespace } from '../harness/env';
import { eventually } from '../harness/eventually';
import { createTestDatabase, type TestDatabase } from '../harness/postgres';
import { testConnection, uniqueName } from '../harness/temporal';
import { rawFetch, startWebApp, type WebApp } from './harness';

const FLOW = 'badInputFlow';
const GOOD = JSON.stringify({ flow: FLOW, parameters: { n: 1 } });
const MiB = 1024 * 1024;

let db: TestDatabase;
let app: WebApp;
let connection: Connection;
let operatorToken = '';
const taskQueue = uniqueName('badinput');
/** Runs this file started on purpose (answered 201). */
const started = new Set<string>();

type Auth = { as: 'operator' } | { token: string };
type Case = [what: string, request: () => Promise<Response>, status: number, message: RegExp];

before(async () => {
  db = await createTestDatabase('apibad');
  app = await startWebApp({ storeUrl: db.url });
  connection = await testConnection();
  const store = await openStore(db.url, { migrate: true });
  try {
    operatorToken = (await createApiToken(store.db, { name: 'bad-input', role: 'operator', createdBy: null })).token;
    const parametersSchema = { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'], additionalProperties: false };
    await store.publishFlows(taskQueue, [{ name: FLOW, taskQueue, description: null, parametersSchema, deployments: [], updatedAt: Date.now() }]);
  } finally {
    await store.close();
  }
});

after(async () => {
  await connection?.close();
  await app?.stop();
  await db?.drop();
});

const post = (path: string, init: RequestInit & Partial<{ as: 'operator'; token: string }>) => app.fetch(path, { method: 'POST', ...init });

/** Asserts the refusal: status, the API's JSON error shape, a message matching, no stack trace. */
async function assertRefused(what: string, res: Response, status: number, message: RegExp): Promise<void> {
  const text = await res.text();
  assert.equal(res.status, status, `${what}: ${text.slice(0, 300)}`);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/, `${what}: JSON error`);
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  assert.equal(typeof body.error.code, 'string', what);
  assert.match(body.error.message, message, what);
  assert.ok(!/\n\s+at /.test(text), `${what}: no stack trace`);
}

async function runsOnQueue(): Promise<Set<string>> {
  const client = new Client({ connection, namespace: temporalNamespace() });
  const ids = new Set<string>();
  for await (const run of client.workflow.list({ query: `TaskQueue = "${taskQueue}"` })) ids.add(run.workflowId);
  return ids;
}

/** Starts a good run after the refused ones; once it is listed, only the runs started on purpose may be there. */
async function assertNoRunStartedByRefusals(): Promise<void> {
  const res = await post('/api/runs', { token: operatorToken, headers: { 'content-type': 'application/json' }, body: GOOD });
  assert.equal(res.status, 201, await res.clone().text());
  const { workflowId } = (await res.json()) as { workflowId: string };
  started.add(workflowId);
  const listed = await eventually(async () => {
    const ids = await runsOnQueue();
    return ids.has(workflowId) && ids;
  }, 30_000, 'the good run in the list');
  assert.deepEqual([...listed].filter((id) => !started.has(id)), [], 'runs started by refused requests');
}

async function check(cases: Case[]): Promise<void> {
  for (const [what, request, status, message] of cases) await assertRefused(what, await request(), status, message);
  await assertNoRunStartedByRefusals();
}

describe('a run is started only by a JSON body sent as application/json', () => {
  for (const [who, auth] of [
    ['session cookie', { as: 'operator' }],
    ['API token', { get token() { return operatorToken; } }],
  ] as [string, Auth][]) {
    test(`${who}: text/plain, form data, multipart or no Content-Type get 415`, async () => {
      const form = new FormData();
      form.set('flow', FLOW);
      await check([
        ['text/plain', () => post('/api/runs', { ...auth, headers: { 'content-type': 'text/plain' }, body: GOOD }), 415, /Content-Type: application\/json \(this request had Content-Type: text\/plain\)/],
        ['urlencoded form', () => post('/api/runs', { ...auth, body: new URLSearchParams({ flow: FLOW, parameters: '{"n":1}' }) }), 415, /must be JSON sent with Content-Type: application\/json/],
        ['multipart form', () => post('/api/runs', { ...auth, body: form }), 415, /multipart\/form-data/],
        // fetch sends a byte body without any Content-Type.
        ['no Content-Type', () => post('/api/runs', { ...auth, body: new TextEncoder().encode(GOOD) }), 415, /this request had no Content-Type/],
        ['JSON in another charset', () => post('/api/runs', { ...auth, headers: { 'content-type': 'application/json; charset=latin1' }, body: GOOD }), 415, /charset=latin1/],
      ]);
    });
  }

  test('application/json with charset=utf-8 is accepted', async () => {
    const res = await post('/api/runs', { as: 'operator', headers: { 'content-type': 'application/json; charset=UTF-8' }, body: GOOD });
    assert.equal(res.status, 201, await res.clone().text());
    started.add(((await res.json()) as { workflowId: string }).workflowId);
  });
});

describe('bodies too large, too deep or not JSON', () => {
  const json = (body: BodyInit): RequestInit => ({ headers: { 'content-type': 'application/json' }, body });
  const padded = (bytes: number) => JSON.stringify({ flow: FLOW, parameters: { n: 1, pad: 'x'.repeat(bytes) } });
  // As text: JSON.parse and JSON.stringify recurse, so this test could not build a deep value itself.
  const nested = (depth: number) => `{"flow": "${FLOW}", "parameters": {"n": 1, "deep": ${'['.repeat(depth)}${']'.repeat(depth)}}}`;

  test('over 1 MiB: 413 (with or without a Content-Length); deeper than 32: 400; broken JSON: 400', async () => {
    // Streamed in chunks: no Content-Length, so the limit must hold while reading.
    const chunked = () => {
      const chunk = new TextEncoder().encode(padded(64 * 1024));
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 40) controller.enqueue(chunk);
          else controller.close();
        },
      });
      return post('/api/runs', { token: operatorToken, ...json(body), duplex: 'half' } as RequestInit);
    };
    await check([
      ['2 MiB body', () => post('/api/runs', { token: operatorToken, ...json(padded(2 * MiB)) }), 413, /larger than 1048576 bytes \(1 MiB\)/],
      ['chunked 2.5 MiB body', chunked, 413, /larger than 1048576 bytes/],
      ['nested 33 deep', () => post('/api/runs', { token: operatorToken, ...json(nested(31)) }), 400, /33 levels deep; at most 32/],
      ['nested 100,000 deep', () => post('/api/runs', { token: operatorToken, ...json(nested(100_000)) }), 400, /over 10000 levels deep/],
      ['truncated JSON', () => post('/api/runs', { token: operatorToken, ...json(GOOD.slice(0, -3)) }), 400, /must be JSON, e\.g\./],
      ['empty body', () => post('/api/runs', { token: operatorToken, ...json('') }), 400, /the body is empty/],
      ['not UTF-8', () => post('/api/runs', { token: operatorToken, ...json(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])) }), 400, /not valid UTF-8/],
      ['NUL in the flow name', () => post('/api/runs', { token: operatorToken, ...json(JSON.stringify({ flow: `${FLOW}\u0000` })) }), 400, /flow must not contain control characters/],
    ]);
  });

  test('just under the limits is accepted', async () => {
    const res = await post('/api/runs', { token: operatorToken, ...json(nested(30)) });
    // Nested 32 deep in all (body, parameters, 30 arrays): read, then refused by the flow's schema, not the reader.
    assert.equal(res.status, 422, await res.clone().text());
    const big = await post('/api/runs', { token: operatorToken, ...json(padded(MiB - 1000)) });
    assert.equal(big.status, 422, 'a body just under 1 MiB is read (the flow schema refuses `pad`)');
    await assertNoRunStartedByRefusals();
  });
});

describe('methods a route does not serve', () => {
  test('405 with Allow and a JSON error; OPTIONS lists the same methods', async () => {
    const cases: [string, string, string][] = [
      ['PUT', '/api/runs', 'GET, HEAD, OPTIONS, POST'],
      ['DELETE', '/api/runs', 'GET, HEAD, OPTIONS, POST'],
      ['PATCH', '/api/runs', 'GET, HEAD, OPTIONS, POST'],
      ['POST', '/api/runs/some-run', 'GET, HEAD, OPTIONS'],
      ['DELETE', '/api/runs/some-run/logs', 'GET, HEAD, OPTIONS'],
      ['POST', '/api/flows', 'GET, HEAD, OPTIONS'],
      ['PUT', '/api/openapi.json', 'GET, HEAD, OPTIONS'],
      ['POST', '/api/health', 'GET, HEAD, OPTIONS'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await app.fetch(path, { method, token: operatorToken, headers: { 'content-type': 'application/json' }, body: GOOD });
      assert.equal(res.headers.get('allow'), allow, `${method} ${path}`);
      await assertRefused(`${method} ${path}`, res, 405, new RegExp(`${method} is not served here: this route answers ${allow} only`));
      const options = await app.fetch(path, { method: 'OPTIONS', token: operatorToken });
      assert.equal(options.headers.get('allow'), allow, `OPTIONS ${path}`);
    }
    await assertNoRunStartedByRefusals();
  });
});

/** A request fetch refuses to send (TRACE is a forbidden method there), through node:http. */
const rawRequest = (method: string, path: string) => rawFetch(app.baseUrl, method, path, { authorization: `Bearer ${operatorToken}` });

describe('methods fetch cannot send', () => {
  // Next turns every request into a fetch Request, which cannot carry TRACE (it answered 500) and which Next's
  // routes answer 400 for a method outside the seven it knows (QUERY, PROPFIND …).
  test('TRACE, QUERY and PROPFIND: 405 with Allow and a JSON error', async () => {
    const cases: [string, string, string][] = [
      ['TRACE', '/api/runs', 'GET, HEAD, OPTIONS, POST'],
      ['TRACE', '/api/health', 'GET, HEAD, OPTIONS'],
      ['QUERY', '/api/runs/some-run/logs?limit=1', 'GET, HEAD, OPTIONS'],
      ['PROPFIND', '/api/flows', 'GET, HEAD, OPTIONS'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await rawRequest(method, path);
      assert.equal(res.headers.get('allow'), allow, `${method} ${path}`);
      await assertRefused(`${method} ${path}`, res, 405, new RegExp(`${method} is not served here: this route answers ${allow} only`));
    }
  });
});

describe('query values and ids', () => {
  const get = (path: string) => () => app.fetch(path, { token: operatorToken });

  test('malformed page tokens, run ids, NUL bytes and ids Temporal refuses: 400 naming the parameter', async () => {
    const runs = await eventually(async () => (await runsOnQueue()).size > 0 && [...(await runsOnQueue())], 30_000, 'a run to read');
    const id = encodeURIComponent(runs[0]);
    await check([
      ['pageToken not base64url', get('/api/runs?pageToken=not%20a%20token!'), 400, /pageToken must be the nextPageToken of the previous page/],
      ['afterId empty', get(`/api/runs/${id}/logs?afterId=`), 400, /afterId must be a whole number in digits/],
      ['limit in hexadecimal', get(`/api/runs/${id}/logs?limit=0x10`), 400, /limit must be a whole number in digits/],
      ['parameters not an object', () => post('/api/runs', { token: operatorToken, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ flow: FLOW, parameters: 0 }) }), 400, /parameters must be a JSON object/],
      ['runId not a UUID', get(`/api/runs/${id}?runId=0`), 400, /runId must be a run id: a UUID/],
      ['runId of the logs not a UUID', get(`/api/runs/${id}/logs?runId=%04`), 400, /runId must be a run id/],
      ['NUL in the flow filter', get('/api/runs?flow=a%00b'), 400, /query parameter 'flow' contains a NUL character/],
      ['NUL in the log search', get(`/api/runs/${id}/logs?search=x%00y`), 400, /query parameter 'search' contains a NUL character/],
      ['NUL in the workflow id', get('/api/runs/abc%00def'), 400, /Invalid path: workflowId must not contain control characters/],
      ['control characters in a filter', get('/api/runs?deployment=%C3%AAu%0E'), 400, /deployment must not contain control characters/],
      ['workflow id over 1000 characters', get(`/api/runs/${'w'.repeat(1001)}/logs`), 400, /workflowId is longer than 1000 characters/],
      ["NUL in the run page's log search", get(`/api/ui/runs/${id}/00000000-0000-4000-8000-000000000000/logs?search=a%00`), 400, /search must not contain a NUL character/],
      ["the run page's log download for a run id not a UUID", get(`/api/ui/runs/${id}/nope/logs/download`), 400, /runId must be a run id/],
      ['afterId beyond a safe integer', get(`/api/runs/${id}/logs?afterId=1e300`), 400, /afterId/],
    ]);
  });

  test('a well-formed page token this server did not hand out: 404 saying what to pass', async () => {
    const res = await app.fetch('/api/runs?pageToken=AAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA', { token: operatorToken });
    await assertRefused('pageToken not handed out', res, 404, /no such page: this pageToken was not handed out by this server/);
  });

  test('a page token handed out reads the next page', async () => {
    const first = (await (await app.fetch(`/api/runs?flow=${FLOW}&pageSize=1`, { token: operatorToken })).json()) as { runs: { workflowId: string }[]; nextPageToken?: string };
    assert.ok(first.nextPageToken, 'more than one run of the flow, so a next page');
    const res = await app.fetch(`/api/runs?flow=${FLOW}&pageSize=1&pageToken=${encodeURIComponent(first.nextPageToken)}`, { token: operatorToken });
    assert.equal(res.status, 200, await res.clone().text());
    const second = (await res.json()) as { runs: { workflowId: string }[] };
    assert.equal(second.runs.length, 1);
    assert.notEqual(second.runs[0].workflowId, first.runs[0].workflowId);
  });

  test('lengths count characters as the OpenAPI document does: 200 emoji make a name, 201 are too long', async () => {
    const named = (flow: string) => app.fetch(`/api/runs?flow=${encodeURIComponent(flow)}`, { token: operatorToken });
    assert.equal((await named('😀'.repeat(200))).status, 200, 'read as a name (no run has it)');
    await assertRefused('201 emoji', await named('😀'.repeat(201)), 400, /flow is too long/);
  });

  test('a well-formed run id that does not exist: 404', async () => {
    const runs = [...(await runsOnQueue())];
    const res = await app.fetch(`/api/runs/${encodeURIComponent(runs[0])}?runId=00000000-0000-4000-8000-000000000000`, { token: operatorToken });
    await assertRefused('unknown run id', res, 404, /There is no run/);
  });
});

describe('path segments', () => {
  const get = (path: string, init: { as?: 'operator' } = {}) => () => app.fetch(path, { token: init.as ? undefined : operatorToken, ...init });
  const RUN = '00000000-0000-4000-8000-000000000000';
  // Every route with an id in its path, the id replaced by `segment`.
  const routes = (segment: string) => [
    `/api/runs/${segment}`,
    `/api/runs/${segment}/logs`,
    `/api/ui/runs/${segment}/${RUN}/logs`,
    `/api/ui/runs/wf/${segment}/logs`,
    `/api/ui/runs/${segment}/${RUN}/logs/download`,
    `/api/ui/runs/wf/${segment}/logs/download`,
  ];

  test('not valid percent-encoded UTF-8 (%ff%fe, a lone %, %zz, a broken UTF-8 sequence): 400 naming the segment', async () => {
    const cases: Case[] = [];
    for (const segment of ['%ff%fe', '%', '%zz', 'run%c3%28', 'a%2']) {
      for (const path of routes(segment)) cases.push([`GET ${path}`, get(path), 400, new RegExp(`not valid percent-encoded UTF-8 \\(at “${segment}”\\)`)]);
    }
    // The same refusal with a session instead of a token, and before any log-in check.
    cases.push(['with a session', get('/api/runs/%ff%fe/logs', { as: 'operator' }), 400, /not valid percent-encoded UTF-8/]);
    cases.push(['without any credentials', () => fetch(`${app.baseUrl}/api/runs/%ff%fe`), 400, /not valid percent-encoded UTF-8/]);
    await check(cases);
  });

  test('pages with such a path: 400 in plain text, not a 500', async () => {
    for (const path of ['/runs/%ff%fe/x', `/runs/wf/%`, '/flows/%ff']) {
      const res = await app.fetch(path, { as: 'operator' });
      const text = await res.text();
      assert.equal(res.status, 400, `${path}: ${text.slice(0, 200)}`);
      assert.match(text, /not valid percent-encoded UTF-8/, path);
    }
  });

  test('NUL, control characters, overlong ids and run ids that are not UUIDs: 400 naming the parameter', async () => {
    const cases: Case[] = [];
    for (const path of routes('a%00b').filter((p) => !p.startsWith('/api/ui/runs/wf/'))) {
      cases.push([`NUL in the workflow id: ${path}`, get(path), 400, /workflowId must not contain control characters/]);
    }
    for (const path of routes('w'.repeat(1001)).filter((p) => !p.startsWith('/api/ui/runs/wf/'))) {
      cases.push([`1001-character workflow id: ${path.slice(0, 30)}`, get(path), 400, /workflowId is longer than 1000 characters/]);
    }
    for (const segment of ['a%00b', 'r'.repeat(2000), 'not-a-uuid']) {
      for (const path of routes(segment).filter((p) => p.startsWith('/api/ui/runs/wf/'))) {
        cases.push([`run id ${segment.slice(0, 12)}: ${path.slice(0, 40)}`, get(path), 400, /runId must be a run id: a UUID/]);
      }
    }
    await check(cases);
  });

  test('a path over 16 KiB: 431 from Node, never a 5xx', async () => {
    const res = await app.fetch(`/api/runs/${'w'.repeat(20_000)}`, { token: operatorToken });
    assert.equal(res.status, 431);
  });
});
