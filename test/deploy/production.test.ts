/**
 * The production topology of docker-compose.yml, natively (no Docker engine here): a throwaway PostgreSQL,
 * Temporal's schemas set up by its SQL tool (deploy/temporal/setup-schema.sh), the real Temporal server on
 * deploy/temporal/production.yaml with the dynamic config compose mounts, the namespace registered as compose
 * does (deploy/temporal/namespace.sh), Sluice's store migrated (`sluice migrate`, compose's migrate service), the
 * Temporal UI server behind the web app's /temporal proxy, a worker
 * (`sluice worker`) and the web app in production mode — at the versions of deploy/stack.env, built by
 * scripts/temporal-server.sh. Then: a flow end to end, a schedule firing, a backfill and a bulk re-run, triggers
 * (after another flow's run, fired by the web app's own notifier, and a signed HTTP call), Sluice's
 * search attributes on SQL visibility, Temporal Web through the proxy with roles, compose's healthchecks, a new
 * worker's replay check of the open runs, and a server restart mid-run.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { parse } from 'yaml';
import { SEARCH_ATTRIBUTES } from 'sluice/internal/temporal';
import { LATENCY_SETTINGS } from 'sluice/internal/dev';
import { startPostgres, type Postgres } from '../../scripts/postgres';
import { freshTmpDir } from '../harness/env';
import { eventually } from '../harness/eventually';
import { DEPLOY, productionTemporal, readDeployEnv, type TemporalServer, type UiServer } from '../harness/production-temporal';
import { FIXTURES } from '../harness/sluice';
import { uniqueName } from '../harness/temporal';
import { startWorker, waitForOutput, type TestWorker } from '../harness/worker';
import { startWebApp, type WebApp } from '../web/harness';
import { signatureOf } from 'sluice/internal/notify';

const ROOT = path.resolve(__dirname, '../..');
const run = promisify(execFile);
type ComposeService = { environment?: Record<string, string>; healthcheck?: { test: string[] } };
const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };

let temporal: Awaited<ReturnType<typeof productionTemporal>>;
let pg: Postgres;
let server: TemporalServer;
let ui: UiServer;
let worker: TestWorker;
/** A second repository's worker, on its own queue: the flows whose deployments declare triggers. */
let triggerWorker: TestWorker;
const TRIGGER_SECRET = 'a-production-trigger-secret';
let app: WebApp;
let client: Client;
const taskQueue = uniqueName('prod');
const deployment = uniqueName('every3s');
// As the worker images set it: the worker reports its health there for the container's healthcheck.
const healthFile = path.join(freshTmpDir('health'), 'sluice-health.json');
let namespace: string;
let sluiceEnv: Record<string, string>;

before(async () => {
  const stage = timer();
  [temporal, pg] = await Promise.all([productionTemporal(), startPostgres()]);
  namespace = temporal.stack.TEMPORAL_NAMESPACE!;
  const db = { host: '127.0.0.1', port: Number(new URL(pg.url).port), user: 'postgres', password: '' };
  stage('provisioning and PostgreSQL');
  await temporal.setupSchemas(db);
  stage('schemas');
  server = await temporal.startServer(db);
  stage('Temporal server');
  await temporal.registerNamespace(server.address);
  stage('namespace');
  client = new Client({ connection: await Connection.connect({ address: server.address }), namespace });
  sluiceEnv = { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: namespace };
  ui = await temporal.startUi(server.address, compose.services['temporal-ui']!.environment!);
  stage('UI server');
  // compose's one-shot migrate service, before the web app and the worker (which only checks the schema).
  await run(process.execPath, [path.join(ROOT, 'sdk/bin/sluice.js'), 'migrate'], { env: { ...process.env, DATABASE_URL: pg.url } });
  stage("Sluice's store migrated");
  const started = Date.now();
  const took = <T>(what: string) => (value: T) => (process.stderr.write(`[production] ${what} ready after ${Date.now() - started} ms\n`), value);
  [worker, triggerWorker, app] = await Promise.all([
    startWorker({
      taskQueue,
      storeUrl: pg.url,
      ...FIXTURES,
      env: { ...sluiceEnv, SLUICE_HEALTH_FILE: healthFile, SLUICE_FIXTURE_DEPLOYMENTS: JSON.stringify([{ name: deployment, interval: '3s', parameters: { label: deployment } }]) },
    }).then(took('worker')),
    startWorker({
      taskQueue: uniqueName('prod-triggers'),
      storeUrl: pg.url,
      workflows: path.join(ROOT, 'test/fixtures/trigger-flows.ts'),
      activities: path.join(ROOT, 'test/fixtures/tasks.ts'),
      env: sluiceEnv,
    }).then(took('trigger worker')),
    // The web app's own notifier runs (as in compose): it fires the `after` triggers.
    startWebApp({ storeUrl: pg.url, env: { ...sluiceEnv, TEMPORAL_UI_UPSTREAM: ui.url, TEMPORAL_WEB_URL: '', SLUICE_TRIGGER_SECRET_FILE_ARRIVED: TRIGGER_SECRET } }).then(took('web app')),
  ]);
  stage('worker and web app');
});

function timer() {
  let last = Date.now();
  return (what: string) => {
    process.stderr.write(`[production] ${what}: ${Date.now() - last} ms\n`);
    last = Date.now();
  };
}

after(async () => {
  await app?.stop();
  await worker?.stop();
  await triggerWorker?.stop();
  await ui?.stop();
  await client?.connection.close();
  await server?.stop();
  await pg?.stop();
});

async function json<T>(res: Response): Promise<T> {
  assert.match(res.headers.get('content-type') ?? '', /application\/json/, `${res.url}: ${res.status}`);
  return (await res.json()) as T;
}

type RunBody = { status: string; result: unknown; flow: string };

async function startThroughWebApp(flow: string, parameters: unknown): Promise<{ workflowId: string; runId: string }> {
  const res = await app.fetch('/api/runs', { method: 'POST', as: 'operator', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ flow, parameters }) });
  assert.equal(res.status, 201, await res.clone().text());
  return json(res);
}

async function completed(ref: { workflowId: string; runId: string }, timeoutMs = 30_000): Promise<RunBody> {
  return eventually(async () => {
    const body = await json<RunBody>(await app.fetch(`/api/runs/${encodeURIComponent(ref.workflowId)}?runId=${ref.runId}`, { as: 'viewer' }));
    assert.notEqual(body.status, 'failed', JSON.stringify(body));
    return body.status === 'completed' && body;
  }, timeoutMs, `run ${ref.workflowId} to complete`);
}

/** The version a schema directory brings a database to: its highest vX.Y folder. */
function newestSchemaVersion(dir: string): string {
  const versions = readdirSync(dir).map((v) => v.slice(1).split('.').map(Number));
  versions.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  return versions.at(-1)!.join('.');
}

describe('the production topology, natively', () => {
  test("the dynamic config compose mounts is valid for this server and has the embedded server's latency settings", async () => {
    const file = path.join(DEPLOY, 'temporal/dynamicconfig.yaml');
    const { stdout, stderr } = await run(temporal.serverBin, ['validate-dynamic-config', file]);
    assert.doesNotMatch(stdout + stderr, /warning|error/i, 'every key known to the server, every value of its type');
    const settings = parse(readFileSync(file, 'utf8')) as Record<string, { value: unknown }[]>;
    for (const [key, value] of Object.entries(LATENCY_SETTINGS)) assert.deepEqual(settings[key], [{ value }], key);
  });

  test("both databases carry the schema version of this server's schema files, and setting up again changes nothing", async () => {
    const again = await temporal.setupSchemas({ host: '127.0.0.1', port: Number(new URL(pg.url).port), user: 'postgres', password: '' });
    assert.match(again, /temporal-setup: schemas up to date/);
    const serverEnv = readDeployEnv('temporal/server.env');
    for (const [db, schema] of [[serverEnv.DBNAME, 'temporal'], [serverEnv.VISIBILITY_DBNAME, 'visibility']] as const) {
      const url = new URL(pg.url);
      url.pathname = `/${db}`;
      const conn = new PgClient({ connectionString: url.toString() });
      await conn.connect();
      try {
        const { rows } = await conn.query('SELECT curr_version FROM schema_version');
        assert.equal(rows[0]?.curr_version, newestSchemaVersion(path.join(temporal.dir, 'schema', schema, 'versioned')), db);
      } finally {
        await conn.end();
      }
    }
  });

  test('the namespace keeps closed runs for the retention of deploy/stack.env, on SQL visibility', async () => {
    const described = await client.connection.workflowService.describeNamespace({ namespace });
    const days = Number(described.config!.workflowExecutionRetentionTtl!.seconds) / 86_400;
    assert.equal(`${days}d`, temporal.stack.TEMPORAL_RETENTION);
    const info = await client.connection.workflowService.getClusterInfo({});
    assert.equal(info.serverVersion, temporal.stack.TEMPORAL_SERVER_VERSION);
    assert.match(info.visibilityStore ?? '', /postgres/, 'visibility in PostgreSQL, not Elasticsearch');
  });

  let chatty: { workflowId: string; runId: string };
  test('a flow runs end to end: started through the web app, its result and log lines read back from it', async () => {
    chatty = await startThroughWebApp('chattyFlow', { n: 3 });
    assert.equal((await completed(chatty)).result, 3);
    const logs = await eventually(async () => {
      const page = await json<{ logs: { message: string }[] }>(await app.fetch(`/api/runs/${encodeURIComponent(chatty.workflowId)}/logs?runId=${chatty.runId}`, { as: 'viewer' }));
      return page.logs.some((l) => l.message === 'flow says goodbye') && page.logs;
    }, 30_000, 'the log lines in the PostgreSQL store');
    assert.ok(logs.some((l) => l.message === 'task line'));
  });

  test("Sluice's search attributes are registered on SQL visibility and filter runs", async () => {
    const { customAttributes } = await client.connection.operatorService.listSearchAttributes({ namespace });
    for (const name of Object.values(SEARCH_ATTRIBUTES)) assert.equal(customAttributes?.[name], 2 /* Keyword */, name);
    const found = await eventually(async () => {
      const ids: string[] = [];
      for await (const w of client.workflow.list({ query: `${SEARCH_ATTRIBUTES.flow} = "chattyFlow" AND ${SEARCH_ATTRIBUTES.startedBy} = "user:${app.users.operator.email}"` })) ids.push(w.workflowId);
      return ids.includes(chatty.workflowId) && ids;
    }, 30_000, 'the run in a visibility query');
    assert.deepEqual(found, [chatty.workflowId]);
    const page = await json<{ runs: { workflowId: string }[] }>(await app.fetch('/api/runs?flow=chattyFlow', { as: 'viewer' }));
    assert.deepEqual(page.runs.map((r) => r.workflowId), [chatty.workflowId]);
  });

  test("a deployment's schedule fires, and its runs are found by deployment", async () => {
    const page = await eventually(async () => {
      const p = await json<{ runs: { flow: string; startedBy: string }[] }>(await app.fetch(`/api/runs?deployment=${deployment}&status=completed`, { as: 'viewer' }));
      return p.runs.length > 0 && p;
    }, 60_000, 'a run started by the schedule');
    assert.equal(page.runs[0]!.flow, 'scheduledFlow');
    assert.equal(page.runs[0]!.startedBy, `schedule:scheduledFlow:${deployment}`);
  });

  test('a concurrency limit holds on the real server: the second run of a key waits, listed as waiting, then runs; limiters stay out of the runs list', async () => {
    const key = `prod-${Date.now()}`;
    const first = await startThroughWebApp('oneAtATime', { key, ms: 3000 });
    await eventually(async () => {
      const run = await json<{ tasks: { status: string }[] }>(await app.fetch(`/api/runs/${encodeURIComponent(first.workflowId)}`, { as: 'viewer' }));
      return run.tasks.some((t) => t.status === 'running');
    }, 30_000, 'the first run holding its slot');
    const second = await startThroughWebApp('oneAtATime', { key, ms: 10 });
    const waiting = await eventually(async () => {
      const page = await json<{ runs: { runId: string; waitingFor?: { key: string }[] }[] }>(await app.fetch('/api/runs?waiting=slot', { as: 'viewer' }));
      return page.runs.find((r) => r.runId === second.runId);
    }, 30_000, 'the second run listed as waiting for a slot');
    assert.deepEqual(waiting.waitingFor?.map((w) => w.key), [`flow:oneAtATime:${key}`]);
    const [a, b] = [(await completed(first)).result, (await completed(second)).result] as { start: number; end: number }[];
    assert.ok(b!.start >= a!.end, `one run of the key at a time: ${JSON.stringify({ a, b })}`);
    const all = await json<{ runs: { flow: string }[] }>(await app.fetch('/api/runs?pageSize=500', { as: 'viewer' }));
    assert.ok(all.runs.some((r) => r.flow === 'oneAtATime') && all.runs.every((r) => r.flow !== 'sluiceLimiter'), 'no limiter among the runs');
  });

  test('a backfill runs each slot of the deployment, and a bulk action re-runs its runs, on SQL visibility', async () => {
    // Five slots of the 3 s interval, a minute ago; the visibility queries behind progress and bulk run on PostgreSQL.
    const from = new Date(Math.floor((Date.now() - 60_000) / 3000) * 3000);
    const to = new Date(from.getTime() + 12_000);
    const post = (pathname: string, body: unknown) => app.fetch(pathname, { method: 'POST', as: 'operator', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const res = await post('/api/backfills', { flow: 'scheduledFlow', deployment, from: from.toISOString(), to: to.toISOString(), maxRunning: 2 });
    assert.equal(res.status, 201, await res.clone().text());
    const { id, runs } = await json<{ id: string; runs: number }>(res);
    assert.equal(runs, 5);
    const done = await eventually(async () => {
      const b = await json<{ state: string; done: number; runs: Record<string, number>; runsStartedBy: string }>(await app.fetch(`/api/backfills/${encodeURIComponent(id)}`, { as: 'viewer' }));
      return b.state === 'completed' && b.done === 5 && b;
    }, 60_000, 'the backfill done');
    assert.equal(done.runs.completed, 5);
    const rerun = await json<{ ok: number; failed: number }>(await post('/api/run-actions', { action: 'rerun', filter: { startedBy: done.runsStartedBy }, expect: 5 }));
    assert.deepEqual([rerun.ok, rerun.failed], [5, 0]);
  });

  test("triggers on the real server: the web app's notifier starts a run after another flow's run, and a signed call starts one", async () => {
    const upstream = await startThroughWebApp('importDaily', { day: '2026-12-01' });
    await completed(upstream);
    type Detail = RunBody & { workflowId: string; runId: string; startedBy: string; parameters: Record<string, unknown> };
    // Nobody ticks the notifier here: the web app's own does, every 15 s.
    const downstream = await eventually(async () => {
      const res = await app.fetch(`/api/runs/${encodeURIComponent(`trigger-reportDaily.afterImport-${upstream.runId}`)}`, { as: 'viewer' });
      if (res.status === 404) return false;
      const body = await json<Detail>(res);
      return body.status === 'completed' && body;
    }, 90_000, 'the run the after trigger starts, completed');
    assert.equal(downstream.startedBy, `trigger:after:importDaily:${upstream.workflowId}`);
    assert.equal(downstream.parameters.day, '2026-12-01', 'the upstream result mapped to the parameters');

    const body = JSON.stringify({ parameters: { day: '2026-12-02' } });
    const res = await app.fetch('/api/triggers/file-arrived', { method: 'POST', headers: { 'content-type': 'application/json', 'x-sluice-signature': signatureOf(body, TRIGGER_SECRET) }, body });
    assert.equal(res.status, 201, await res.clone().text());
    const fired = await json<{ workflowId: string; runId: string }>(res);
    const run = await completed(fired);
    assert.equal((run as RunBody & { startedBy?: string }).startedBy, 'trigger:http:file-arrived');
  });

  test('Temporal Web through the web app: a viewer reads, a terminate is refused with 403, anonymous goes to log in', async () => {
    const pagePath = `/temporal/namespaces/${namespace}/workflows/${encodeURIComponent(chatty.workflowId)}/${chatty.runId}/history`;
    const anonymous = await app.fetch(pagePath);
    assert.equal(anonymous.status, 307);
    assert.equal(anonymous.headers.get('location'), `/login?next=${encodeURIComponent(pagePath)}`);
    const page = await app.fetch(pagePath, { as: 'viewer' });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i, "the UI server's page");
    const api = `/temporal/api/v1/namespaces/${namespace}/workflows/${encodeURIComponent(chatty.workflowId)}`;
    const history = await json<{ history: { events: { eventType: string }[] } }>(await app.fetch(`${api}/history?execution.runId=${chatty.runId}`, { as: 'viewer' }));
    assert.match(history.history.events[0]!.eventType, /WORKFLOW_EXECUTION_STARTED|WorkflowExecutionStarted/);
    assert.match(history.history.events.at(-1)!.eventType, /WORKFLOW_EXECUTION_COMPLETED|WorkflowExecutionCompleted/);
    const terminate = await app.fetch(`${api}/terminate`, {
      method: 'POST',
      as: 'viewer',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ workflowExecution: { workflowId: chatty.workflowId, runId: chatty.runId }, reason: 'a viewer tries' }),
    });
    assert.equal(terminate.status, 403);
    assert.equal((await json<{ error: { code: string } }>(terminate)).error.code, 'forbidden');
  });

  test("compose's healthchecks pass: the web app's, the server's, the UI server's and the worker's", async () => {
    const health = await app.fetch('/api/health');
    assert.deepEqual(await json(health), { status: 'ok', store: 'ok', temporal: 'ok' });
    assert.match(compose.services.web!.healthcheck!.test.join(' '), /\/api\/health/);
    // The same paths compose's wget asks, on the native servers' addresses.
    const pathOf = (service: string) => /:\d+(\/\S+)/.exec(compose.services[service]!.healthcheck!.test.join(' '))![1]!;
    assert.equal((await fetch(`${server.httpUrl}${pathOf('temporal')}`)).status, 200);
    assert.equal((await fetch(`${ui.url}${pathOf('temporal-ui')}`)).status, 200);
    const check = (env: Record<string, string>) => run(process.execPath, [path.join(DEPLOY, 'worker-healthcheck.cjs')], { cwd: ROOT, env: { ...process.env, ...env } });
    // The worker's own report (the images set SLUICE_HEALTH_FILE): written by the running worker, for itself.
    const report = await eventually(() => {
      try {
        const r = JSON.parse(readFileSync(healthFile, 'utf8')) as { ok: boolean; identity: string; taskQueue: string };
        return r.ok && r;
      } catch {
        return false;
      }
    }, 30_000, "the worker's health report");
    assert.deepEqual({ identity: report.identity, taskQueue: report.taskQueue }, { identity: `${worker.process.pid}@${hostname()}`, taskQueue });
    await check({ SLUICE_HEALTH_FILE: healthFile });
    // Without it (an image built before), the healthcheck asks Temporal itself.
    const asked = { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: namespace };
    await check({ ...asked, SLUICE_TASK_QUEUE: taskQueue });
    await assert.rejects(check({ ...asked, SLUICE_TASK_QUEUE: uniqueName('nobody-polls') }), /no worker of .+ has polled task queue/);
  });

  test('a worker with new code finds the open run it cannot carry (SQL visibility) and the home page says so', async () => {
    const replayQueue = uniqueName('prod-replay');
    const meter = (v: number) => ({ workflows: path.join(ROOT, `test/fixtures/replay/meter-v${v}.ts`), activities: FIXTURES.activities });
    const v1 = await startWorker({ taskQueue: replayQueue, storeUrl: pg.url, ...meter(1), env: sluiceEnv });
    const waiting = await startThroughWebApp('meterReadings', {});
    try {
      await eventually(async () => (await client.workflow.getHandle(waiting.workflowId, waiting.runId).fetchHistory()).events?.some((e) => e.timerStartedEventAttributes), 30_000, 'the run to wait on its timer');
      await v1.stop();
      const v2 = await startWorker({ taskQueue: replayQueue, storeUrl: pg.url, ...meter(2), env: sluiceEnv });
      try {
        await waitForOutput(v2, /replay: 1 open run\(s\) of task queue .* checked on this code, 1 cannot continue/);
        const home = await (await app.fetch('/', { as: 'viewer' })).text();
        assert.match(home, new RegExp(`${waiting.workflowId}[\\s\\S]*cannot continue on the new code of task queue[\\s\\S]*${replayQueue}`));
      } finally {
        await v2.stop();
      }
    } finally {
      await client.workflow.getHandle(waiting.workflowId, waiting.runId).terminate('test over').catch(() => undefined);
    }
  });

  test('the Temporal server restarts mid-run and every run completes', async () => {
    const files = Array.from({ length: 4 }, (_, i) => path.join(freshTmpDir('restart'), `run-${i}.txt`));
    const runs = await Promise.all(files.map((file) => startThroughWebApp('durableFlow', { file, stepMs: 3000 })));
    // Every run is inside its second (3 s) task when the server goes down.
    await eventually(() => files.every((f) => readFileSafe(f).includes('two')), 30_000, 'every run in its second task');
    await server.restart();
    for (const ref of runs) assert.deepEqual((await completed(ref, 90_000)).result, ['one', 'two', 'three']);
    assert.deepEqual(await json(await app.fetch('/api/health')), { status: 'ok', store: 'ok', temporal: 'ok' });
  });
});

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
