/**
 * Sluice against a Temporal that asks for TLS and client certificates (mTLS): the real server
 * (deploy/temporal/production.yaml with TEMPORAL_FRONTEND_TLS_*), certificates made now with openssl. Every
 * Sluice process gets only the TEMPORAL_TLS_* variables a user sets (docs/secured-temporal.md: "Connecting to a secured
 * Temporal"): a TypeScript worker, a Python worker, the client and the web app run and list a flow; Temporal Web
 * reaches the server through the UI server with the settings docker-compose.yml passes it; a process without
 * its client certificate, or with one the server does not trust, is refused with a message saying TLS.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { SluiceClient } from 'sluice/client';
import { openStore, type Store } from 'sluice/internal/store';
import { connect, parseTemporalConfig, TemporalUnreachableError } from 'sluice/internal/temporal';
import { startPostgres, type Postgres } from '../../scripts/postgres';
import { eventually } from '../harness/eventually';
import { productionTemporal, type TemporalServer, type UiServer } from '../harness/production-temporal';
import { pythonEnv, startPythonWorker, venvPython, workerToken } from '../harness/python';
import { uniqueName } from '../harness/temporal';
import { makeTestCertificates, type TestCertificates } from '../harness/tls-certs';
import { spawnWorker, startWorker, trackWorker, type TestWorker } from '../harness/worker';
import { startWebApp, type WebApp } from '../web/harness';

const ROOT = path.resolve(__dirname, '../..');
const FLOWS = { workflows: path.join(ROOT, 'test/fixtures/python-flows.ts'), activities: path.join(ROOT, 'test/fixtures/python-activities.ts') };
const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { environment?: Record<string, string> }>;
};

let certs: TestCertificates;
let pg: Postgres;
let server: TemporalServer;
let ui: UiServer;
let namespace: string;
/** What a user sets for Sluice's processes: the address, and TLS with a client certificate. */
let mtls: Record<string, string>;
let store: Store;
let client: SluiceClient;
const workers: TestWorker[] = [];
let app: WebApp;
const flowsQueue = uniqueName('tls-flows');
const pythonQueue = uniqueName('tls-py');

before(async () => {
  let temporal: Awaited<ReturnType<typeof productionTemporal>>;
  [temporal, pg, certs] = await Promise.all([productionTemporal(), startPostgres(), makeTestCertificates()]);
  namespace = temporal.stack.TEMPORAL_NAMESPACE!;
  const db = { host: '127.0.0.1', port: Number(new URL(pg.url).port), user: 'postgres', password: '' };
  await temporal.setupSchemas(db);
  server = await temporal.startServer(db, {
    env: {
      TEMPORAL_FRONTEND_TLS_CERT_FILE: certs.server.cert,
      TEMPORAL_FRONTEND_TLS_KEY_FILE: certs.server.key,
      TEMPORAL_FRONTEND_TLS_CA_FILE: certs.ca,
      TEMPORAL_FRONTEND_TLS_CLIENT_CA_FILE: certs.ca,
      TEMPORAL_FRONTEND_TLS_SERVER_NAME: 'localhost',
    },
    client: { tls: { caFile: certs.ca, certFile: certs.client.cert, keyFile: certs.client.key, serverName: 'localhost' } },
  });
  // The Temporal CLI has TLS settings of its own names.
  await temporal.registerNamespace(server.address, {
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.ca,
    TEMPORAL_TLS_CLIENT_CERT_PATH: certs.client.cert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: certs.client.key,
    TEMPORAL_TLS_SERVER_NAME: 'localhost',
  });
  mtls = {
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: namespace,
    TEMPORAL_TLS_CA_FILE: certs.ca,
    TEMPORAL_TLS_CERT_FILE: certs.client.cert,
    TEMPORAL_TLS_KEY_FILE: certs.client.key,
    TEMPORAL_TLS_SERVER_NAME: 'localhost',
  };
  // The UI server with the environment compose gives the temporal-ui service, filled from the same settings in .env.
  ui = await temporal.startUi(server.address, compose.services['temporal-ui']!.environment!, mtls);
  store = await openStore(pg.url, { migrate: true });
  client = await SluiceClient.connect({ temporal: parseTemporalConfig(mtls), store });
  venvPython();
  // The web app first: the Python worker is its client (the worker API), with a worker token.
  app = await startWebApp({ storeUrl: pg.url, env: { ...mtls, TEMPORAL_UI_UPSTREAM: ui.url, TEMPORAL_WEB_URL: '' } });
  const token = await workerToken(pg.url, [pythonQueue, flowsQueue]);
  const [flows, python] = await Promise.all([
    startWorker({ taskQueue: flowsQueue, storeUrl: pg.url, ...FLOWS, env: mtls }),
    startPythonWorker({ module: 'mixed_tasks', taskQueue: pythonQueue, sluiceUrl: app.baseUrl, token, env: mtls }),
  ]);
  workers.push(flows, python);
});

after(async () => {
  await app?.stop();
  await Promise.all(workers.map((w) => w.stop()));
  await client?.close();
  await store?.close();
  await ui?.stop();
  await server?.stop();
  await pg?.stop();
});

describe('Sluice on a Temporal with mTLS', () => {
  test('a TypeScript worker, a Python worker and the client run a flow; the web app lists it and shows its history', async () => {
    const ref = await client.start('mixedFlow', { queue: pythonQueue }, { startedBy: 'user:tls@example.org' });
    assert.deepEqual(await client.waitForResult(ref), { loud: 'RAIN', doubled: 42, flaky: { key: 'KNMI', attempts: 3 }, said: 'said 3' });

    const listed = await eventually(async () => {
      const res = await app.fetch('/api/runs?flow=mixedFlow', { as: 'viewer' });
      assert.equal(res.status, 200, await res.clone().text());
      const page = (await res.json()) as { runs: { workflowId: string; status: string }[] };
      return page.runs.find((r) => r.workflowId === ref.workflowId);
    }, 30_000, 'the run in the web app');
    assert.equal(listed.status, 'completed');

    // Temporal Web, through the web app, served by the UI server that reached Temporal over mTLS.
    const api = `/temporal/api/v1/namespaces/${namespace}/workflows/${encodeURIComponent(ref.workflowId)}/history?execution.runId=${ref.runId}`;
    const res = await app.fetch(api, { as: 'viewer' });
    assert.equal(res.status, 200, await res.clone().text());
    const history = (await res.json()) as { history: { events: { eventType: string }[] } };
    assert.match(history.history.events.at(-1)!.eventType, /WORKFLOW_EXECUTION_COMPLETED|WorkflowExecutionCompleted/);
  });

  test("the workers' healthchecks ask Temporal over mTLS, with the workers' own settings", async () => {
    // As an image built before the health report runs them: each asks Temporal whether a worker of this host polls.
    const { status, stderr } = spawnSync(process.execPath, [path.join(ROOT, 'deploy/worker-healthcheck.cjs')], { cwd: ROOT, env: { ...process.env, ...mtls, SLUICE_TASK_QUEUE: flowsQueue }, encoding: 'utf8' });
    assert.equal(status, 0, stderr);
    const python = spawnSync(venvPython(), ['-m', 'sluice', 'healthcheck', '--task-queue', pythonQueue], { cwd: ROOT, env: pythonEnv(mtls), encoding: 'utf8' });
    assert.equal(python.status, 0, python.stderr);
    const { TEMPORAL_TLS_CERT_FILE: _c, TEMPORAL_TLS_KEY_FILE: _k, ...withoutCert } = mtls;
    const refused = spawnSync(process.execPath, [path.join(ROOT, 'deploy/worker-healthcheck.cjs')], { cwd: ROOT, env: { ...process.env, ...withoutCert, SLUICE_TASK_QUEUE: flowsQueue }, encoding: 'utf8' });
    assert.notEqual(refused.status, 0);
  });

  test('without a client certificate, or with one from another CA, a connection is refused with a message naming TLS and the address', async () => {
    const noCert = { address: server.address, tls: { caFile: certs.ca, serverName: 'localhost' } };
    const stranger = { ...noCert, tls: { ...noCert.tls, certFile: certs.stranger.cert, keyFile: certs.stranger.key } };
    // OpenSSL's words for what the server refused (the gRPC client itself only says it could not connect).
    for (const [access, refusal] of [[noCert, /certificate required/], [stranger, /unknown ca|bad certificate|closed the connection right after the handshake/]] as const) {
      await assert.rejects(connect(access), (err: Error) => {
        assert.ok(err instanceof TemporalUnreachableError, String(err));
        assert.match(err.message, new RegExp(`^TLS connection to Temporal at ${server.address} failed \\(.*TEMPORAL_TLS_CERT_FILE`, 's'));
        assert.match(err.message, refusal);
        return true;
      });
    }
    // A server certificate the client does not trust (no TEMPORAL_TLS_CA_FILE: the system's CAs).
    await assert.rejects(connect({ address: server.address, tls: { serverName: 'localhost' } }), /TLS connection to Temporal at .* failed \((self-signed|unable to (get|verify))/);
    // Plain gRPC to a TLS server says TLS may be what is missing.
    await assert.rejects(connect({ address: server.address }), /Cannot talk to Temporal at .* over plain gRPC .*TEMPORAL_TLS=true/s);
  });

  test('a TypeScript or Python worker without its client certificate stops at start with that message', async () => {
    const { TEMPORAL_TLS_CERT_FILE: _c, TEMPORAL_TLS_KEY_FILE: _k, ...withoutCert } = mtls;
    const queue = uniqueName('tls-refused');
    const worker = spawnWorker({ taskQueue: queue, storeUrl: pg.url, ...FLOWS, env: { ...withoutCert, TEMPORAL_TLS_CERT_FILE: '', TEMPORAL_TLS_KEY_FILE: '' } });
    assert.notEqual(await worker.exited, 0);
    assert.match(worker.output(), new RegExp(`TLS connection to Temporal at ${server.address} failed \\(.*certificate`));
    assert.doesNotMatch(worker.output(), /\n\s+at .+\(.+:\d+:\d+\)/, 'one readable line, no stack trace');

    const pyQueue = uniqueName('tls-refused-py');
    const token = await workerToken(pg.url, [pyQueue]);
    const python = trackWorker(spawn(venvPython(), ['-m', 'sluice', 'worker', 'mixed_tasks', '--task-queue', pyQueue], {
      cwd: ROOT,
      env: pythonEnv({ ...withoutCert, SLUICE_URL: app.baseUrl, SLUICE_WORKER_TOKEN: token, SLUICE_SPOOL_DIR: path.join(certs.dir, 'spool'), TEMPORAL_TLS_CERT_FILE: '', TEMPORAL_TLS_KEY_FILE: '' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    }));
    assert.notEqual(await python.exited, 0);
    assert.match(python.output(), new RegExp(`TLS connection to Temporal at ${server.address} failed \\(`));
    assert.doesNotMatch(python.output(), /Traceback/);
  });

  test('a certificate file that cannot be read, and a certificate without its key, are named before anything connects', async () => {
    const missing = path.join(certs.dir, 'nope.pem');
    const worker = spawnWorker({ taskQueue: uniqueName('tls-missing'), storeUrl: pg.url, ...FLOWS, env: { ...mtls, TEMPORAL_TLS_CERT_FILE: missing } });
    assert.notEqual(await worker.exited, 0);
    assert.match(worker.output(), new RegExp(`TEMPORAL_TLS_CERT_FILE=${missing}: cannot read it \\(no such file\\)`));
    const keyless = spawnWorker({ taskQueue: uniqueName('tls-keyless'), storeUrl: pg.url, ...FLOWS, env: { ...mtls, TEMPORAL_TLS_KEY_FILE: '' } });
    assert.notEqual(await keyless.exited, 0);
    assert.match(keyless.output(), /TEMPORAL_TLS_KEY_FILE: not set, but TEMPORAL_TLS_CERT_FILE is .*a client certificate needs its private key/);
  });
});
