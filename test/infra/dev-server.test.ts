/**
 * sdk/dev/dev-server.ts and sdk/temporal: the dev server starts on free loopback ports with Sluice's latency
 * settings, Sluice's search attributes exist and can be queried, retention is 30 days, and an existing database file
 * created without the attributes gets them. Each test starts its own server (not the suite's).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import { embeddedServerProcs, LATENCY_SETTINGS, startDevServer, type DevServer } from 'sluice/internal/dev';
import { isPortFree } from 'sluice/internal/dev';
import { ensureRetention, ensureSearchAttributes, retentionSeconds, SEARCH_ATTRIBUTES } from 'sluice/internal/temporal';
import { freshTmpDir, temporalAddress, temporalNamespace, temporalWebUrl } from '../harness/env';
import { uniqueName } from '../harness/temporal';
import { isProcessAlive } from 'sluice/internal/dev';

const KEYWORD = 2; // IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
const DAY = 86_400;
const servers: DevServer[] = [];
after(() => Promise.all(servers.map((s) => s.stop())));

async function start(options: Parameters<typeof startDevServer>[0] = {}): Promise<{ server: DevServer; connection: Connection }> {
  const server = await startDevServer(options);
  servers.push(server);
  const connection = await Connection.connect({ address: server.address });
  after(() => connection.close());
  return { server, connection };
}

async function sluiceAttributes(connection: Connection, namespace = 'default'): Promise<Record<string, number>> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const wanted = Object.values(SEARCH_ATTRIBUTES) as string[];
  return Object.fromEntries(Object.entries(customAttributes).filter(([name]) => wanted.includes(name)));
}


test('starts on 127.0.0.1 with search attributes, 30-day retention and Temporal Web; stop() ends it', async () => {
  const { server, connection } = await start();
  assert.match(server.address, /^127\.0\.0\.1:\d+$/);
  assert.match(server.uiUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(server.namespace, 'default');

  assert.deepEqual(await sluiceAttributes(connection), { SluiceFlow: KEYWORD, SluiceDeployment: KEYWORD, SluiceStartedBy: KEYWORD, SluiceWaiting: KEYWORD });
  assert.equal(await retentionSeconds(connection, 'default'), 30 * DAY);
  const ui = await fetch(server.uiUrl);
  assert.equal(ui.status, 200, 'Temporal Web answers');

  // What makes a sequential task fast (bench: npm run bench -- latency) reaches the server process.
  const argv = readFileSync(`/proc/${server.pid}/cmdline`, 'utf8').split('\0');
  for (const [key, value] of Object.entries(LATENCY_SETTINGS)) assert.ok(argv.includes(`${key}=${value}`), `started with ${key}=${value}`);
  const environ = readFileSync(`/proc/${server.pid}/environ`, 'utf8').split('\0');
  const procs = process.env.GOMAXPROCS ?? String(embeddedServerProcs());
  assert.ok(environ.includes(`GOMAXPROCS=${procs}`), `GOMAXPROCS=${procs}: half the cores, the rest for the worker and web app`);

  const port = Number(server.address.split(':')[1]);
  await server.stop();
  assert.equal(isProcessAlive(server.pid), false, 'the server process is gone');
  assert.equal(await isPortFree(port), true, 'its port is released');
});

test('a run started with the search attributes is found by a query on them', async () => {
  const { server, connection } = await start({ namespace: 'sluice-test' });
  assert.equal(server.namespace, 'sluice-test');
  const client = new Client({ connection, namespace: 'sluice-test' });
  const flow = uniqueName('flow');
  // No worker: the run stays open, which is all the visibility query needs.
  const handle = await client.workflow.start('someFlow', {
    taskQueue: uniqueName('nobody-polls'),
    workflowId: uniqueName('run'),
    searchAttributes: { [SEARCH_ATTRIBUTES.flow]: [flow], [SEARCH_ATTRIBUTES.startedBy]: ['test'] },
  });
  const query = `${SEARCH_ATTRIBUTES.flow} = "${flow}" AND ${SEARCH_ATTRIBUTES.startedBy} = "test"`;
  let found: string[] = [];
  const deadline = Date.now() + 15_000;
  while (found.length === 0 && Date.now() < deadline) {
    found = [];
    for await (const run of client.workflow.list({ query })) found.push(run.workflowId);
    if (found.length === 0) await new Promise((r) => setTimeout(r, 200));
  }
  assert.deepEqual(found, [handle.workflowId]);
  await handle.terminate('test done');
});

test('an existing database file made without the attributes gets them, idempotently; retention only grows', async () => {
  const dbFile = join(freshTmpDir('dev-server-db'), 'temporal.db');

  // A plain dev server (as a user would have run it before Sluice): no attributes, 1-day retention.
  const bare = await start({ dbFile, bare: true });
  assert.deepEqual(await sluiceAttributes(bare.connection), {});
  assert.equal(await retentionSeconds(bare.connection, 'default'), 1 * DAY, 'the dev server default this code exists for');
  await bare.server.stop();

  // Same file again: the --search-attribute flag no longer applies, ensureSearchAttributes must add them.
  const { connection } = await start({ dbFile });
  assert.deepEqual(await sluiceAttributes(connection), { SluiceFlow: KEYWORD, SluiceDeployment: KEYWORD, SluiceStartedBy: KEYWORD, SluiceWaiting: KEYWORD });
  await connection.workflowService.listWorkflowExecutions({ namespace: 'default', query: `${SEARCH_ATTRIBUTES.flow} = "x"` });
  assert.equal(await retentionSeconds(connection, 'default'), 30 * DAY);

  await ensureSearchAttributes(connection, 'default');
  await ensureSearchAttributes(connection, 'default');
  assert.equal(Object.keys(await sluiceAttributes(connection)).length, 4, 'still exactly four');

  await ensureRetention(connection, 'default', 7);
  assert.equal(await retentionSeconds(connection, 'default'), 30 * DAY, 'never shortened');
  await ensureRetention(connection, 'default', 45);
  assert.equal(await retentionSeconds(connection, 'default'), 45 * DAY);

  // The file is in WAL mode (kept in the file itself), which spares a disk sync at every commit.
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  } finally {
    db.close();
  }
});

test('an explicit port that is taken fails with a readable message, never "succeeds" on the other server', async () => {
  const { server } = await start();
  const taken = Number(server.address.split(':')[1]);
  await assert.rejects(startDevServer({ port: taken }), new RegExp(`could not use its ports \\(frontend ${taken},[\\s\\S]*already in use`));
});

test("the suite's server (from test/run.ts) is prepared for Sluice", async () => {
  const connection = await Connection.connect({ address: temporalAddress() });
  after(() => connection.close());
  assert.equal(Object.keys(await sluiceAttributes(connection, temporalNamespace())).length, Object.keys(SEARCH_ATTRIBUTES).length);
  assert.equal((await fetch(temporalWebUrl())).status, 200);
});
