// The version handshake between a worker and the web app (GET /api/worker/v1/hello, sluice/internal/compat): the web app
// serves workers of the previous minor version and refuses, naming both versions and what to do, a worker whose
// protocol is older than it serves or newer than its own. Real web app (next start), real worker processes.
//
// No released Sluice before this one has the handshake, so the "previous minor version" is this package as built,
// copied with its declared version set to 0.2.9 (and, for the refused ones, its protocol rewritten): it shows the
// server judges by what a worker declares, not that a real 0.2 release works — none can call hello.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SluiceClient } from 'sluice/client';
import { checkServer, ServerCheckError, SLUICE_VERSION, WORKER_HEADER, WORKER_PROTOCOL } from 'sluice/internal/compat';
import { openStore, type Store } from 'sluice/internal/store';
import { createApiToken } from '../../web/lib/auth/tokens';
import { freshTmpDir, temporalAddress, temporalNamespace } from '../harness/env';
import { eventually } from '../harness/eventually';
import { uniqueName } from '../harness/temporal';
import { trackWorker, waitForOutput, type TestWorker } from '../harness/worker';
import { startWebApp, type WebApp } from '../web/harness';

const ROOT = path.resolve(__dirname, '../..');

/**
 * A workflow repository whose `sluice` dependency is this package built, declaring `version` (and `protocol`, when
 * given, rewritten in its compiled sluice/internal/compat); every other dependency is this checkout's. Returns its folder.
 */
function repositoryWith(version: string, protocol?: number): string {
  const dir = freshTmpDir(`compat-${version}`);
  const modules = path.join(dir, 'node_modules');
  mkdirSync(modules);
  for (const name of readdirSync(path.join(ROOT, 'node_modules'))) {
    if (name !== 'sluice' && !name.startsWith('.')) symlinkSync(path.join(ROOT, 'node_modules', name), path.join(modules, name));
  }
  const sluice = path.join(modules, 'sluice');
  for (const part of ['bin', 'lib']) cpSync(path.join(ROOT, 'sdk', part), path.join(sluice, part), { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'sdk/package.json'), 'utf8'));
  writeFileSync(path.join(sluice, 'package.json'), JSON.stringify({ ...manifest, version }, null, 2));
  if (protocol !== undefined) {
    const compiled = path.join(sluice, 'lib/compat.js');
    const source = readFileSync(compiled, 'utf8');
    const rewritten = source.replace(/current: \d+/, `current: ${protocol}`);
    assert.notEqual(rewritten, source, 'the compiled WORKER_PROTOCOL was found and rewritten');
    writeFileSync(compiled, rewritten);
  }
  mkdirSync(path.join(dir, 'workflows'));
  mkdirSync(path.join(dir, 'activities'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `compat-${version.replace(/\./g, '-')}`, private: true }));
  writeFileSync(
    path.join(dir, 'activities/index.ts'),
    `import { log, task } from 'sluice';\n` +
      `export const note = task({ retries: 0 }, async function note(text: string) { log.info(\`noted: \${text}\`); return text; });\n`,
  );
  const flowName = `compatFlow${version.replace(/\D/g, '')}`;
  writeFileSync(
    path.join(dir, 'workflows/index.ts'),
    `import { flow, tasks } from 'sluice/flow';\nimport type * as notes from '../activities';\nconst { note } = tasks<typeof notes>();\n` +
      `export const ${flowName} = flow({}, async () => note('from sluice ${version}'));\n`,
  );
  return dir;
}

let app: WebApp;
let store: Store;
let token: string;
const workers: TestWorker[] = [];

/** A worker token for these task queues, as an admin makes one. */
const workerToken = async (name: string, taskQueues: string[]) => (await createApiToken(store.db, { name: uniqueName(name), role: 'worker', taskQueues, createdBy: null })).token;

/** `sluice worker` of the repository at `dir`, as a team runs it: a client of the web app with a worker token of its queue. */
async function startRepositoryWorker(dir: string, taskQueue: string): Promise<TestWorker> {
  const { DATABASE_URL: _owner, SLUICE_TEST_DATABASE_URL: _test, ...env } = process.env;
  const child = spawn(process.execPath, [path.join(dir, 'node_modules/sluice/bin/sluice.js'), 'worker'], {
    cwd: dir,
    env: {
      ...env,
      TEMPORAL_ADDRESS: temporalAddress(),
      TEMPORAL_NAMESPACE: temporalNamespace(),
      SLUICE_URL: app.baseUrl,
      SLUICE_WORKER_TOKEN: await workerToken('compat-worker', [taskQueue]),
      SLUICE_TASK_QUEUE: taskQueue,
      SLUICE_SPOOL_DIR: path.join(dir, 'spool'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const worker = trackWorker(child);
  workers.push(worker);
  return worker;
}

before(async () => {
  app = await startWebApp();
  store = await openStore(app.storeUrl); // migrated by the web app; checked here
  token = await workerToken('compat-hello', ['compat-hello']);
});
after(async () => {
  for (const w of workers) await w.stop();
  await store?.close();
  await app?.stop();
});

const hello = (header?: string) => app.fetch('/api/worker/v1/hello', { token, headers: header === undefined ? {} : { [WORKER_HEADER]: header } });
type Refusal = { error: { code: string; message: string } };

describe('GET /api/worker/v1/hello', () => {
  test("answers a worker of this version with the server's version and the protocols it serves", async () => {
    const res = await hello(`${SLUICE_VERSION}; protocol=${WORKER_PROTOCOL.current}`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { server: { version: SLUICE_VERSION }, protocol: { current: WORKER_PROTOCOL.current, oldest: WORKER_PROTOCOL.oldest } });
  });

  test('refuses a protocol older than the oldest it serves, and one newer than its own, with 409 naming both versions', async () => {
    const old = await hello(`0.1.4; protocol=${WORKER_PROTOCOL.oldest - 1}`);
    assert.equal(old.status, 409);
    const oldBody = (await old.json()) as Refusal;
    assert.equal(oldBody.error.code, 'incompatible_worker');
    assert.equal(
      oldBody.error.message,
      `This worker (sluice 0.1.4, protocol ${WORKER_PROTOCOL.oldest - 1}) is too old for this Sluice web app (sluice ${SLUICE_VERSION}, which serves protocol ${WORKER_PROTOCOL.current}). ` +
        "Rebuild the worker's repository with sluice >= 0.3.0 (npm install sluice@^0.3.0) and deploy it again.",
    );
    const newer = await hello(`9.0.0; protocol=${WORKER_PROTOCOL.current + 1}`);
    assert.equal(newer.status, 409);
    const newerBody = (await newer.json()) as Refusal;
    assert.equal(newerBody.error.code, 'incompatible_worker');
    assert.match(newerBody.error.message, new RegExp(`^This worker \\(sluice 9\\.0\\.0, protocol ${WORKER_PROTOCOL.current + 1}\\) is newer than this Sluice web app \\(sluice ${SLUICE_VERSION.replace(/\./g, '\\.')},`));
    assert.match(newerBody.error.message, /Upgrade the web app first/);
  });

  test('wants the Sluice-Worker header, well formed, and a token', async () => {
    const missing = await hello();
    assert.equal(missing.status, 400);
    assert.match(((await missing.json()) as Refusal).error.message, /needs a Sluice-Worker header .* e\.g\. "Sluice-Worker: \d+\.\d+\.\d+; protocol=\d+"/);
    const garbled = await hello('worker v2');
    assert.equal(garbled.status, 400);
    assert.match(((await garbled.json()) as Refusal).error.message, /The Sluice-Worker header "worker v2" is not "VERSION; protocol=N"/);
    const anonymous = await app.fetch('/api/worker/v1/hello', { headers: { [WORKER_HEADER]: `${SLUICE_VERSION}; protocol=1` } });
    assert.equal(anonymous.status, 401);
  });
});

describe('checkServer, as a worker calls it at start', () => {
  test('resolves with the hello of a server that serves it; throws the refusal as a ServerCheckError', async () => {
    assert.deepEqual(await checkServer({ url: app.baseUrl, token }), { server: { version: SLUICE_VERSION }, protocol: { ...WORKER_PROTOCOL } });
    await assert.rejects(checkServer({ url: app.baseUrl, token, declaration: { version: '0.1.4', protocol: 0 } }), (err: Error) => {
      assert.ok(err instanceof ServerCheckError, String(err));
      assert.match(err.message, new RegExp(`^The Sluice web app at ${app.baseUrl} refused this worker: This worker \\(sluice 0\\.1\\.4, protocol 0\\) is too old`));
      return true;
    });
    await assert.rejects(checkServer({ url: app.baseUrl, token: 'slc_' + 'A'.repeat(43) }), /refused this worker's token: .* Check SLUICE_WORKER_TOKEN\./);
  });

  test('says a web app without the worker API is older than 0.3.0 and must be upgraded first', async (t) => {
    // A web app of 0.2: no such route (its 404 page).
    const old = createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>404</h1>'));
    await new Promise<void>((resolve) => old.listen(0, '127.0.0.1', resolve));
    t.after(() => old.close());
    const url = `http://127.0.0.1:${(old.address() as AddressInfo).port}`;
    await assert.rejects(checkServer({ url, token }), (err: Error) => {
      assert.ok(err instanceof ServerCheckError);
      assert.equal(
        err.message,
        `The Sluice web app at ${url} has no worker API (GET /api/worker/v1/hello: 404): it is older than sluice 0.3.0, and this worker is sluice ${SLUICE_VERSION}. Upgrade the web app first, then the workers.`,
      );
      return true;
    });
  });
});

describe('workers of other versions against this web app', () => {
  test('a worker of the previous minor version (0.2.9, protocol 1) passes the handshake and runs a flow whose lines arrive', async () => {
    const dir = repositoryWith('0.2.9');
    const taskQueue = uniqueName('compat-prev');
    const worker = await startRepositoryWorker(dir, taskQueue);
    await waitForOutput(worker, /worker ready/, 180_000);
    assert.match(worker.output(), new RegExp(`web app ${app.baseUrl}: sluice ${SLUICE_VERSION.replace(/\./g, '\\.')} serves this worker \\(sluice 0\\.2\\.9, protocol 1\\)`));

    const client = await SluiceClient.connect({ address: temporalAddress(), namespace: temporalNamespace(), store });
    try {
      const ref = await client.start('compatFlow029', {});
      assert.equal(await client.waitForResult(ref), 'from sluice 0.2.9');
      await eventually(async () => (await store.readLogs({ runId: ref.runId })).some((l) => l.message === 'noted: from sluice 0.2.9'), 15_000, "the task's line");
    } finally {
      await client.close();
    }
  });

  for (const [what, version, protocol, words] of [
    ['older than the oldest protocol served', '0.2.0', WORKER_PROTOCOL.oldest - 1, /is too old for this Sluice web app .* Rebuild the worker's repository with sluice >= 0\.3\.0/],
    ['newer than the server', '0.4.0', WORKER_PROTOCOL.current + 1, /is newer than this Sluice web app .* Upgrade the web app first/],
  ] as const) {
    test(`a worker ${what} exits 1 at start naming both versions, having published nothing`, async () => {
      const taskQueue = uniqueName('compat-refused');
      const worker = await startRepositoryWorker(repositoryWith(version, protocol), taskQueue);
      assert.equal(await worker.exited, 1, worker.output());
      assert.match(worker.output(), new RegExp(`sluice worker: The Sluice web app at ${app.baseUrl} refused this worker: This worker \\(sluice ${version.replace(/\./g, '\\.')}, protocol ${protocol}\\)`));
      assert.match(worker.output(), new RegExp(`\\(sluice ${SLUICE_VERSION.replace(/\./g, '\\.')}, which serves protocol`));
      assert.match(worker.output(), words);
      assert.doesNotMatch(worker.output(), /\n\s+at /, 'no stack trace');
      assert.deepEqual(await store.flowsOfQueue(taskQueue), []);
    });
  }
});
