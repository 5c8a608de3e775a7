// A bounded schema-based fuzz of the HTTP API: schemathesis (PyPI, pinned in test/fuzz/requirements.txt, in
// a venv outside the clone made by scripts/venv.sh) reads /api/openapi.json from the running app (next start,
// PostgreSQL, the suite's Temporal) and sends what the document allows and what it does not, as an operator,
// so writes are exercised. Every check schemathesis has runs (`--checks all`, none excluded): no 5xx, every
// status, content type and body as the document says, what the document allows accepted and what it forbids
// refused, unserved methods answered 405 with Allow. Afterwards every run on the flow's task queue must belong to
// a request that was answered 201.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@temporalio/client';
import { openStore } from 'sluice/internal/store';
import { createApiToken } from '../../web/lib/auth/tokens';
import { freshTmpDir, temporalNamespace } from '../harness/env';
import { eventually } from '../harness/eventually';
import { createTestDatabase, type TestDatabase } from '../harness/postgres';
import { testConnection, uniqueName } from '../harness/temporal';
import { startWebApp, type WebApp } from './harness';

const ROOT = path.resolve(__dirname, '../..');
// Per operation and phase; with the coverage phase's fixed cases this is about 500 requests.
const MAX_EXAMPLES = 40;
// One: with several, schemathesis's coverage phase shares caches between its threads, and failed building its
// strategies in parallel (with four workers; with two, a KeyError inside its coverage module in a CI run).
const WORKERS = 1;

let db: TestDatabase;
let app: WebApp;
let token = '';
let schemathesis = '';
// No worker serves it: started runs stay running, and counting them is all this test needs.
const taskQueue = uniqueName('fuzz');

interface HarEntry {
  request: { method: string; url: string };
  response: { status: number; content?: { text?: string } };
}

before(async () => {
  const venv = spawnSync('bash', [path.join(ROOT, 'scripts/venv.sh'), 'schemathesis', path.join(ROOT, 'test/fuzz/requirements.txt')], {
    encoding: 'utf8',
    timeout: 10 * 60_000,
  });
  assert.equal(venv.status, 0, `scripts/venv.sh failed:\n${venv.stderr}`);
  schemathesis = path.join(venv.stdout.trim(), 'bin/schemathesis');

  db = await createTestDatabase('apifuzz');
  app = await startWebApp({ storeUrl: db.url });
  const store = await openStore(db.url, { migrate: true });
  try {
    token = (await createApiToken(store.db, { name: 'fuzzer', role: 'operator', createdBy: null })).token;
    // A flow and a deployment: the OpenAPI document offers exactly these to start (each with its parameters), so
    // the fuzz starts real runs too.
    await store.publishFlows(taskQueue, [
      {
        name: 'rainfallReport',
        taskQueue,
        description: 'fuzz target',
        parametersSchema: {
          type: 'object',
          properties: { station: { type: 'string', minLength: 1 }, days: { type: 'integer', minimum: 1, maximum: 365 } },
          required: ['station'],
          additionalProperties: false,
        },
        deployments: [{ name: 'daily', parameters: { station: 'Eelde', days: 7 } }],
        updatedAt: Date.now(),
      },
    ]);
  } finally {
    await store.close();
  }
});

after(async () => {
  await app?.stop();
  await db?.drop();
});

/** Runs in `dir`: schemathesis keeps a cache of what it found (.schemathesis/) in its working directory. */
function runSchemathesis(dir: string, har: string): Promise<{ code: number | null; output: string }> {
  const args = [
    '--config-file',
    path.join(ROOT, 'test/fuzz/schemathesis.toml'),
    'run',
    `${app.baseUrl}/api/openapi.json`,
    '--header',
    `Authorization: Bearer ${token}`,
    '--checks',
    'all',
    '--phases',
    'examples,coverage,fuzzing,stateful',
    '--max-examples',
    String(MAX_EXAMPLES),
    '--seed',
    '20261129',
    '--workers',
    String(WORKERS),
    '--request-timeout',
    '30',
    '--generation-database',
    'none',
    '--continue-on-failure',
    '--no-color',
    '--output-sanitize',
    'false',
    '--report',
    'har',
    '--report-har-path',
    har,
  ];
  const child = spawn(schemathesis, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout.on('data', (d) => output.push(String(d)));
  child.stderr.on('data', (d) => output.push(String(d)));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output: output.join('') })));
}

test('schemathesis finds the API and its OpenAPI document agreeing, no 5xx, and only requests answered 201 starting runs', { timeout: 5 * 60_000 }, async () => {
  const dir = freshTmpDir('fuzz');
  const har = path.join(dir, 'api.har');
  const started = Date.now();
  const { code, output } = await runSchemathesis(dir, har);
  const entries = (JSON.parse(readFileSync(har, 'utf8')) as { log: { entries: HarEntry[] } }).log.entries;
  const serverErrors = entries.filter((e) => e.response.status >= 500);
  const summary = `${entries.length} requests in ${Math.round((Date.now() - started) / 1000)} s, ${serverErrors.length} with a 5xx`;
  console.log(`[api-fuzz] ${summary}`);
  // Schemathesis's own tally (phases, test cases), for the CI log.
  for (const line of output.split('\n').filter((l) => /passed|failed|generated|Scenarios/.test(l))) console.log(`[api-fuzz] ${line.trim()}`);
  for (const e of serverErrors.slice(0, 20)) console.log(`[api-fuzz] ${e.response.status} ${e.request.method} ${e.request.url}`);
  assert.ok(entries.length >= 300, `the fuzz sent too few requests to mean much: ${summary}`);
  assert.equal(serverErrors.length, 0, summary);
  assert.equal(code, 0, `schemathesis failed:\n${output.slice(-8000)}`);

  // Every run on the queue was started by a request answered 201, whose body named it — or is a re-run that a
  // bulk action (POST /api/run-actions, 200) names in its result for the run it re-ran.
  const answered201 = new Set(
    entries
      .filter((e) => e.request.method === 'POST' && e.response.status === 201)
      .map((e) => (JSON.parse(e.response.content?.text ?? '{}') as { workflowId?: string }).workflowId),
  );
  const reruns = entries
    .filter((e) => e.request.method === 'POST' && e.request.url.endsWith('/api/run-actions') && e.response.status === 200)
    .flatMap((e) => (JSON.parse(e.response.content?.text ?? '{}') as { results?: { rerun?: { workflowId: string } }[] }).results ?? [])
    .flatMap((r) => (r.rerun ? [r.rerun.workflowId] : []));
  assert.ok(answered201.size > 0, 'the fuzz started no run at all: what the document allows should have');
  const connection = await testConnection();
  try {
    const client = new Client({ connection, namespace: temporalNamespace() });
    const onQueue = await eventually(async () => {
      const ids = new Set<string>();
      for await (const run of client.workflow.list({ query: `TaskQueue = "${taskQueue}"` })) ids.add(run.workflowId);
      return [...answered201].every((id) => ids.has(id!)) && ids;
    }, 30_000, 'every run answered 201 in visibility');
    const unexplained = [...onQueue].filter((id) => !answered201.has(id) && !reruns.includes(id));
    assert.deepEqual(unexplained, [], 'runs started by a request that was not answered 201');
  } finally {
    await connection.close();
  }
});
