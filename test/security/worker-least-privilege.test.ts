// A team's worker is a client of Sluice, not an owner of its database. A real web app (PostgreSQL store), the
// suite's Temporal and a `sluice worker` in remote mode (SLUICE_URL + a worker token, no DATABASE_URL): a task
// in it turns against Sluice with everything its process holds — its environment and the network to the web
// app — and tries to create a user and a token, read runs and another queue's run lines, publish another
// queue's flows and tasks, and write lines into another queue's run. Every attempt is refused, nothing changes
// in the store, and the worker's own lines and flows arrive.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@temporalio/client';
import { openStore, type Store } from 'sluice/internal/store';
import { createApiToken } from '../../web/lib/auth/tokens';
import { temporalNamespace } from '../harness/env';
import { eventually } from '../harness/eventually';
import { createTestDatabase, type TestDatabase } from '../harness/postgres';
import { testConnection, uniqueName } from '../harness/temporal';
import { startWorker, type TestWorker } from '../harness/worker';
import { startWebApp, type WebApp } from '../web/harness';

const FIXTURES = path.resolve(__dirname, '../fixtures');
const taskQueue = uniqueName('intruder');
const victimQueue = uniqueName('victim');

let db: TestDatabase;
let app: WebApp;
let store: Store;
let worker: TestWorker | undefined;
let temporal: Client;
const closers: (() => Promise<unknown>)[] = [];

before(async () => {
  db = await createTestDatabase('leastpriv');
  app = await startWebApp({ storeUrl: db.url });
  store = await openStore(db.url);
  const connection = await testConnection();
  closers.push(() => connection.close());
  temporal = new Client({ connection, namespace: temporalNamespace() });
  const { token } = await createApiToken(store.db, { name: 'intruder-worker', role: 'worker', taskQueues: [taskQueue], createdBy: null });
  worker = await startWorker({
    taskQueue,
    storeUrl: 'unused',
    remote: { url: app.baseUrl, token },
    workflows: path.join(FIXTURES, 'intruder-flows.ts'),
    activities: path.join(FIXTURES, 'intruder-tasks.ts'),
  });
});

after(async () => {
  await worker?.stop();
  for (const close of closers) await close();
  await store?.close();
  await app?.stop();
  await db?.drop();
});

test("a task in a remote-mode worker is refused everything but its own runs' lines", async () => {
  // Another team's queue: a published flow, a run (no worker serves it, so it stays running) and its lines.
  await store.publishFlows(victimQueue, [{ name: 'victimFlow', taskQueue: victimQueue, description: 'the victim', parametersSchema: {}, deployments: [], updatedAt: 1 }]);
  const victimHandle = await temporal.workflow.start('victimFlow', { taskQueue: victimQueue, workflowId: uniqueName('victim-run') });
  closers.push(() => victimHandle.terminate('test over').catch(() => undefined));
  const victim = { workflowId: victimHandle.workflowId, runId: victimHandle.firstExecutionRunId, taskQueue: victimQueue };
  await store.insertLogs([{ time: Date.now(), level: 'info', message: 'victim secret', workflowId: victim.workflowId, runId: victim.runId }]);
  const count = async (table: 'users' | 'api_tokens') => Number((await store.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const [users, tokens] = [await count('users'), await count('api_tokens')];

  const handle = await temporal.workflow.start('intruderFlow', { taskQueue, workflowId: uniqueName('intruder-run'), args: [victim] });
  const attempts = (await handle.result()) as Record<string, unknown>;

  assert.deepEqual(attempts, {
    credentialsInEnv: [],
    // Pages and their server actions take a session only: the proxy sends a token-only request to log in.
    createUser: 307,
    createToken: 307,
    usersPage: 307,
    listRuns: 403,
    startRun: 403,
    readVictimLines: 403,
    readVictimLinesUi: 403,
    temporalWeb: 401,
    publishVictimFlows: 403,
    readVictimFlows: 403,
    writeVictimLines: 403,
    publishVictimTasks: 403,
  });
  assert.equal(await count('users'), users, 'no user was created');
  assert.equal(await count('api_tokens'), tokens, 'no token was created');
  assert.deepEqual((await store.readLogs({ runId: victim.runId })).map((l) => l.message), ['victim secret']);
  assert.deepEqual((await store.flowsOfQueue(victimQueue)).map((f) => [f.name, f.description, f.goneAt]), [['victimFlow', 'the victim', null]]);
  assert.deepEqual(await store.tasksOfQueue(victimQueue), []);

  // Its own lines arrive, through the worker API, and its flows were published through it at start-up.
  const runId = (await handle.describe()).runId;
  const own = await eventually(async () => {
    const lines = (await store.readLogs({ runId })).map((l) => l.message);
    return lines.includes('own line from the intruder task') && lines.includes('own line from the intruder flow') && lines;
  }, 30_000, "the intruder run's own lines");
  assert.ok(own.every((m) => m !== 'forged line'));
  assert.deepEqual((await store.flowsOfQueue(taskQueue)).map((f) => f.name), ['intruderFlow']);
});
