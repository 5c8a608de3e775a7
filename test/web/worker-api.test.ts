// The worker API (/api/worker/v1/…) on a real web app, store and Temporal: what a worker token may send and
// read, what it may not, and how bad input is refused (never a 5xx, nothing half-written); then the Node
// worker's client (sdk/src/worker-api/client.ts) against it.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { Client } from '@temporalio/client';
import { openStore, type LogRecord, type Store } from 'sluice/internal/store';
import { WorkerApiClient, WorkerApiError } from 'sluice/internal/worker-api';
import { freePort } from 'sluice/internal/dev';
import { createApiToken } from '../../web/lib/auth/tokens';
import { temporalNamespace } from '../harness/env';
import { testConnection, uniqueName } from '../harness/temporal';
import { startWebApp, type WebApp } from './harness';

const queue = uniqueName('wapi');
const spare = uniqueName('wapi-spare');
const other = uniqueName('wapi-other');

let app: WebApp;
let store: Store;
let temporal: Client;
let token = '';
const closers: (() => Promise<unknown>)[] = [];

/** A run on `taskQueue` that stays running (no worker serves it). */
async function runOn(taskQueue: string): Promise<{ workflowId: string; runId: string }> {
  const handle = await temporal.workflow.start('anyFlow', { taskQueue, workflowId: uniqueName('wapi-run') });
  closers.push(() => handle.terminate('test over').catch(() => undefined));
  return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
}

const line = (run: { workflowId: string; runId: string }, message: string): LogRecord => ({ time: Date.now(), level: 'info', message, ...run });

function post(path: string, body: unknown, init: { gzip?: boolean; headers?: Record<string, string>; as?: string } = {}) {
  const json = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return app.fetch(`/api/worker/v1${path}`, {
    method: 'POST',
    token: init.as ?? token,
    headers: { 'content-type': 'application/json', ...(init.gzip ? { 'content-encoding': 'gzip' } : {}), ...init.headers },
    body: init.gzip ? gzipSync(json) : json,
  });
}

async function errorOf(res: Response): Promise<{ code: string; message: string; runs?: unknown[] }> {
  return ((await res.json()) as { error: { code: string; message: string; runs?: unknown[] } }).error;
}

before(async () => {
  app = await startWebApp();
  store = await openStore(app.storeUrl);
  const connection = await testConnection();
  closers.push(() => connection.close());
  temporal = new Client({ connection, namespace: temporalNamespace() });
  ({ token } = await createApiToken(store.db, { name: 'wapi-worker', role: 'worker', taskQueues: [queue, spare], createdBy: null }));
});

after(async () => {
  for (const close of closers) await close();
  await store?.close();
  await app?.stop();
});

describe('POST /logs', () => {
  test("writes a gzip batch of its runs' lines and progress", async () => {
    const run = await runOn(queue);
    const progress = [{ time: Date.now(), ...run, task: 'simulate', activityId: '3', attempt: 1, done: 2, total: 5, message: 'step 2 of 5' }];
    const res = await post('/logs', { lines: [line(run, 'one'), { ...line(run, 'two'), fieldsText: '{"rows":42}', task: 'simulate', activityId: '3', attempt: 1 }], progress }, { gzip: true });
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await res.json(), { written: 2 });
    const stored = await store.readLogs({ runId: run.runId });
    assert.deepEqual(stored.map((l) => [l.message, l.fields ?? null, l.task ?? null]), [['one', null, null], ['two', { rows: 42 }, 'simulate']]);
    assert.deepEqual((await store.readProgress(run.runId)).map((p) => [p.done, p.total, p.message]), [[2, 5, 'step 2 of 5']]);
  });

  test("refuses a batch with a line of another queue's run, or of a run Temporal does not know, naming them; writes none of it", async () => {
    const mine = await runOn(queue);
    const theirs = await runOn(other);
    const ghost = { workflowId: uniqueName('ghost'), runId: '0193aaaa-0000-7000-8000-000000000000' };
    const res = await post('/logs', { lines: [line(mine, 'mine'), line(theirs, 'forged'), line(ghost, 'ghost')] });
    assert.equal(res.status, 403);
    const error = await errorOf(res);
    assert.equal(error.code, 'forbidden');
    assert.match(error.message, new RegExp(theirs.workflowId));
    assert.deepEqual(new Set(error.runs), new Set([theirs, ghost]));
    for (const run of [mine, theirs, ghost]) assert.equal(await store.countLogs(run.runId), 0, run.workflowId);
  });

  test('refuses bad input with a 4xx that says what was wrong, and writes nothing', async () => {
    const run = await runOn(queue);
    const cases: [string, Response, number, RegExp][] = [
      ['a wrong level', await post('/logs', { lines: [{ ...line(run, 'x'), level: 'loud' }] }), 400, /lines\.0\.level/],
      ['no lines', await post('/logs', { progress: [] }), 400, /lines/],
      ['not gzip', await post('/logs', '{"lines":[]}', { headers: { 'content-encoding': 'gzip' } }), 400, /not valid gzip/],
      ['another encoding', await post('/logs', '{"lines":[]}', { headers: { 'content-encoding': 'br' } }), 415, /Content-Encoding: br/],
      // 20 MiB of spaces gzip to about 20 KiB: inflating stops at the limit.
      ['a gzip bomb', await app.fetch('/api/worker/v1/logs', { method: 'POST', token, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20)) }), 413, /once decompressed/],
      ['no token', await post('/logs', { lines: [] }, { as: '' }), 401, /token/],
    ];
    for (const [what, res, status, message] of cases) {
      assert.equal(res.status, status, `${what}: ${res.status}`);
      assert.match((await errorOf(res)).message, message, what);
    }
    assert.equal(await store.countLogs(run.runId), 0);
  });

  test('takes worker tokens only: an admin token and a session are refused', async () => {
    const { token: admin } = await createApiToken(store.db, { name: 'wapi-admin', role: 'admin', createdBy: null });
    const res = await post('/logs', { lines: [] }, { as: admin });
    assert.equal(res.status, 403);
    assert.match((await errorOf(res)).message, /worker tokens only/);
    const session = await app.fetch('/api/worker/v1/flows?taskQueue=x', { as: 'admin' });
    assert.equal(session.status, 401);
  });
});

describe('flows and tasks', () => {
  test('publishes and reads its queues\' flows and tasks, and no other queue\'s', async () => {
    const flow = { name: uniqueName('wapiFlow'), description: 'd', parametersSchema: { type: 'object' }, deployments: [], updatedAt: 1 };
    const published = await post('/flows', { taskQueue: queue, repository: 'wapi-repo', flows: [flow], rules: [{ flow: flow.name, deployment: null, rule: { channels: ['ops'] } }] }, { gzip: true });
    assert.equal(published.status, 200, await published.clone().text());
    assert.deepEqual(await published.json(), { takeOvers: [] });
    const read = await app.fetch(`/api/worker/v1/flows?taskQueue=${queue}`, { token });
    assert.deepEqual(((await read.json()) as { flows: { name: string; repository: string }[] }).flows.map((f) => [f.name, f.repository]), [[flow.name, 'wapi-repo']]);
    const rules = await store.db.selectFrom('notification_rules').select(['flow', 'source']).where('flow', '=', flow.name).execute();
    assert.deepEqual(rules, [{ flow: flow.name, source: 'code' }]);

    const tasks = await post('/tasks', { taskQueue: queue, worker: 'py-1@host', tasks: { interpolate: { retries: 2 } } });
    assert.deepEqual(await tasks.json(), { published: 1 });
    const readTasks = await app.fetch(`/api/worker/v1/tasks?taskQueue=${queue}`, { token });
    assert.deepEqual(((await readTasks.json()) as { tasks: { name: string; options: unknown; worker: string }[] }).tasks.map((t) => [t.name, t.options, t.worker]), [['interpolate', { retries: 2 }, 'py-1@host']]);

    for (const res of [
      await post('/flows', { taskQueue: other, flows: [] }),
      await post('/tasks', { taskQueue: other, worker: 'w', tasks: {} }),
      await app.fetch(`/api/worker/v1/flows?taskQueue=${other}`, { token }),
      await app.fetch(`/api/worker/v1/tasks?taskQueue=${other}`, { token }),
    ]) {
      assert.equal(res.status, 403, res.url);
      assert.match((await errorOf(res)).message, new RegExp(`not '${other}'`));
    }
  });

  test('refuses rules of flows it does not publish (400), and a queue another repository serves (409), changing nothing', async () => {
    const stray = await post('/flows', { taskQueue: spare, flows: [], rules: [{ flow: 'someoneElses', deployment: null, rule: { channels: ['ops'] } }] });
    assert.equal(stray.status, 400);
    assert.match((await errorOf(stray)).message, /someoneElses/);
    await store.publishFlows(spare, [{ name: uniqueName('theirs'), taskQueue: spare, description: null, parametersSchema: {}, deployments: [], updatedAt: 1 }], { repository: 'their-repo' });
    const taken = await post('/flows', { taskQueue: spare, repository: 'my-repo', flows: [{ name: uniqueName('mine'), description: null, parametersSchema: {}, deployments: [], updatedAt: 2 }] });
    assert.equal(taken.status, 409);
    assert.match((await errorOf(taken)).message, /their-repo/);
    assert.deepEqual((await store.flowsOfQueue(spare)).map((f) => f.repository), ['their-repo']);
  });
});

describe('the Node worker client', () => {
  test("drops the lines of runs it may not write, with a warning, and writes the rest", async () => {
    const mine = await runOn(queue);
    const theirs = await runOn(other);
    const warnings: string[] = [];
    const client = new WorkerApiClient(app.baseUrl, token, { warn: (m) => warnings.push(m) });
    await client.insertLogs([line(mine, 'kept'), line(theirs, 'dropped')]);
    assert.deepEqual((await store.readLogs({ runId: mine.runId })).map((l) => l.message), ['kept']);
    assert.equal(await store.countLogs(theirs.runId), 0);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, new RegExp(`1 log line\\(s\\) dropped: .*${theirs.workflowId}`));
  });

  test('a web app that does not answer is an outage the shipper retries (status 0), not a refusal', async () => {
    const client = new WorkerApiClient(`http://127.0.0.1:${await freePort()}`, token, { warn: () => undefined });
    await assert.rejects(client.insertLogs([line({ workflowId: 'w', runId: 'r' }, 'x')]), (err: unknown) => err instanceof WorkerApiError && err.status === 0 && /not answering/.test(err.message));
  });
});
