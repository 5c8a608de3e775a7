// Python tasks in TypeScript flows, end to end on the suite's Temporal server: a TypeScript worker serving the
// flows and one TypeScript task, a Python worker (`python -m sluice worker`) serving Python tasks on its own
// queue, a client of the web app (`next start`) through the worker API with its own worker token, never of the
// store. The Python retry policy applies without being repeated in the flow, errors arrive with their Python
// type, log lines land with run, task and attempt (SQLite and PostgreSQL), a Python worker killed with -9
// mid-task has the task retried by the next one without finished tasks running again, and the lines of tasks a
// worker completed while Sluice was unreachable are sent from its spool by the next worker after a kill -9.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RunFailedError, type SluiceClient } from 'sluice/client';
import type { Store, StoredLog } from 'sluice/internal/store';
import { freshTmpDir } from '../harness/env';
import { eventually } from '../harness/eventually';
import { createTestDatabase, type TestDatabase } from '../harness/postgres';
import { PYTHON_FIXTURES, pythonEnv, startPythonWorker, venvPython, workerToken } from '../harness/python';
import { testClient } from '../harness/sluice';
import { uniqueName } from '../harness/temporal';
import { startWorker, type TestWorker } from '../harness/worker';
import { startWebApp, type WebApp } from '../web/harness';
import { getRunView } from '../../web/lib/run-presenter';
import { firstPayload } from '../../sdk/src/client/run-history';
import { Worker } from '@temporalio/worker';
import { bundleFlows } from 'sluice/internal/worker';

const FLOWS = {
  workflows: path.resolve(__dirname, '../fixtures/python-flows.ts'),
  activities: path.resolve(__dirname, '../fixtures/python-activities.ts'),
};

/** The tasks of the Python fixture module, read off its source: each `@task`-decorated function's name. */
const MIXED_TASKS = [...readFileSync(path.join(PYTHON_FIXTURES, 'mixed_tasks.py'), 'utf8').matchAll(/^@task\b.*\ndef (\w+)/gm)].map((m) => m[1]!).sort();

interface Setup {
  client: SluiceClient;
  store: Store;
  app: WebApp;
  /** The Python worker's token: role worker, for its queue and the flows' (whose runs its lines belong to). */
  token: string;
  flows: TestWorker;
  python: TestWorker;
  pythonQueue: string;
  flowsQueue: string;
  /** Where the Python worker writes its health report (SLUICE_HEALTH_FILE), as the worker image sets it. */
  healthFile: string;
  close(): Promise<void>;
}

/** The web app on a store, a client on it, the flows' worker and a Python worker, all on fresh queues. */
async function setUp(storeUrl: string | undefined, name: string): Promise<Setup> {
  const app = await startWebApp({ storeUrl, seed: false });
  const { client, store, close } = await testClient(app.storeUrl);
  const pythonQueue = uniqueName(`${name}-py`);
  const flowsQueue = uniqueName(`${name}-flows`);
  const token = await workerToken(app.storeUrl, [pythonQueue, flowsQueue]);
  const healthFile = path.join(freshTmpDir(`${name}-health`), 'sluice-health.json');
  const [flows, python] = await Promise.all([
    startWorker({ taskQueue: flowsQueue, storeUrl: app.storeUrl, ...FLOWS }),
    startPythonWorker({ module: 'mixed_tasks', taskQueue: pythonQueue, sluiceUrl: app.baseUrl, token, env: { SLUICE_HEALTH_FILE: healthFile } }),
  ]);
  const setup: Setup = {
    client, store, app, token, flows, python, pythonQueue, flowsQueue, healthFile,
    async close() {
      await Promise.all([flows.stop(), setup.python.stop()]); // the Python worker of the day (a test replaces it)
      await close();
      await app.stop();
    },
  };
  return setup;
}

const logsOf = (store: Store, runId: string, until: (lines: StoredLog[]) => boolean) =>
  eventually(async () => {
    const lines = await store.readLogs({ runId, limit: 5000 });
    return until(lines) ? lines : false;
  }, 15_000, `the run's log lines`);

let sqlite: Setup;
before(async () => {
  venvPython(); // made once per machine (minutes the first time), before any worker's start-up clock runs
  sqlite = await setUp(undefined, 'sqlite');
});
after(async () => sqlite?.close());

describe('a flow mixing TypeScript and Python tasks', () => {
  it('runs both, applies the Python retry policy, and stores Python log lines with run, task and attempt', async () => {
    const { client, store, pythonQueue } = sqlite;
    const ref = await client.start('mixedFlow', { queue: pythonQueue });
    const result = await client.waitForResult(ref);
    assert.deepEqual(result, { loud: 'RAIN', doubled: 42, flaky: { key: 'KNMI', attempts: 3 }, said: 'said 3' });

    const run = (await client.getRun(ref.workflowId))!;
    assert.deepEqual(run.tasks.map((t) => t.task), ['shout', 'double', 'flaky', 'chatty'], 'the catalog lookup is not shown as a task');
    const flaky = run.tasks.find((t) => t.task === 'flaky')!;
    assert.equal(flaky.status, 'completed');
    assert.equal(flaky.attempts, 3);
    assert.equal(flaky.maximumAttempts, 4, 'retries=3 declared in Python reached the flow');
    assert.match(flaky.lastFailure?.message ?? '', /source not ready \(attempt 2\)/);
    assert.equal(flaky.lastFailure?.type, 'ValueError');
    assert.match(run.tasks.find((t) => t.task === 'double')!.worker ?? '', /\(python\)$/, 'the Python worker is named');
    assert.doesNotMatch(run.tasks.find((t) => t.task === 'shout')!.worker ?? '', /python/);

    // The run page's timeline: Python tasks are rows like the TypeScript one, with attempts, retries and worker.
    const view = (await getRunView(client, ref.workflowId, ref.runId))!;
    assert.deepEqual(
      view.rows.map((r) => [r.task.task, r.tone, r.retries, r.task.durationMs! >= 0, /\(python\)$/.test(r.task.worker ?? '')]),
      [['shout', 'ok', 0, true, false], ['double', 'ok', 0, true, true], ['flaky', 'ok', 2, true, true], ['chatty', 'ok', 0, true, true]],
    );

    const lines = await logsOf(store, ref.runId, (l) => l.some((x) => x.message === 'python errs'));
    const python = lines.filter((l) => l.task === 'chatty');
    assert.deepEqual(
      python.map((l) => [l.level, l.message, l.fields]),
      [
        ['debug', 'debug line', undefined],
        ['info', 'python says hello', { n: 3, 'field.runId': 'mine', nested: { ok: true, ratio: 0.5 } }],
        ['info', 'printed 3', { source: 'console' }],
        ['warn', 'python warns', undefined],
        ['error', 'python errs', { code: 7 }],
        ['info', "published table 'said'", undefined],
      ],
    );
    // The table it published went with its line, through the worker API, into the run's artifacts.
    const [said, ...others] = await eventually(async () => {
      const found = await store.readArtifacts(ref.runId);
      return found.length > 0 && found;
    }, 15_000, 'the published table');
    assert.deepEqual(others, []);
    assert.deepEqual([said!.kind, said!.key, said!.title, said!.task], ['table', 'said', 'What was said', 'chatty']);
    assert.deepEqual(said!.kind === 'table' && [said!.columns, said!.rows], [['n', 'word'], [[0, 'hello'], [1, 'hello'], [2, 'hello']]]);
    for (const l of python) {
      assert.equal(l.runId, ref.runId);
      assert.equal(l.workflowId, ref.workflowId);
      assert.equal(l.flow, 'mixedFlow');
      assert.equal(l.attempt, 1);
    }
    const attempts = lines.filter((l) => l.task === 'flaky');
    assert.deepEqual(attempts.filter((l) => l.message === 'flaky attempt').map((l) => l.attempt), [1, 2, 3]);
    const failed = attempts.filter((l) => l.message === 'Activity failed');
    assert.deepEqual(failed.map((l) => [l.level, l.attempt, (l.fields?.error as { type: string }).type]), [['warn', 1, 'ValueError'], ['warn', 2, 'ValueError']]);
    assert.ok(lines.some((l) => l.task === 'shout' && l.message === 'shouting'), 'the TypeScript task logs beside them');
  });

  it('replays a finished run from its history, whatever the catalog says by then', async () => {
    const { client, store, pythonQueue } = sqlite;
    const ref = await client.start('mixedFlow', { queue: pythonQueue });
    await client.waitForResult(ref);
    // A Python worker republishing other options (or none) after the run does not change its replay: the
    // options it used are in its history (the catalog lookup's marker).
    const published = await store.db.selectFrom('tasks').select(['name', 'options']).where('task_queue', '=', pythonQueue).execute();
    assert.deepEqual(published.map((t) => t.name).sort(), MIXED_TASKS, 'the Python worker published every task of its module');
    await store.db.updateTable('tasks').set({ options: JSON.stringify({ retries: 0 }) }).where('task_queue', '=', pythonQueue).execute();
    try {
      const history = await client.temporal.workflow.getHandle(ref.workflowId, ref.runId).fetchHistory();
      const bundle = await bundleFlows(FLOWS.workflows, { shout: { retries: 0 } });
      await Worker.runReplayHistory({ workflowBundle: bundle, replayName: 'python-mixed' }, history, ref.workflowId);
    } finally {
      for (const { name, options } of published) {
        await store.db.updateTable('tasks').set({ options }).where('task_queue', '=', pythonQueue).where('name', '=', name).execute();
      }
    }
  });

  it('fails a declared non-retryable Python error at once, with its Python type and message', async () => {
    const { client, pythonQueue } = sqlite;
    const ref = await client.start('nonRetryableFlow', { queue: pythonQueue });
    assert.deepEqual(await client.waitForResult(ref), { type: 'StationUnknown', message: 'station Atlantis is unknown', nonRetryable: true });
    const [task] = (await client.getRun(ref.workflowId))!.tasks;
    assert.equal(task!.attempts, 1, 'retries=5 declared, but StationUnknown is non-retryable');
    assert.equal(task!.status, 'failed');
  });

  it('takes a Python task\'s declared concurrency limit in the flow: three calls at once run one after another', async () => {
    const ref = await sqlite.client.start('gaugeFlow', { queue: sqlite.pythonQueue });
    const calls = (await sqlite.client.waitForResult(ref)) as { n: number; began: number; ended: number }[];
    assert.deepEqual(calls.map((c) => c.n), [1, 2, 3]);
    const byStart = [...calls].sort((a, b) => a.began - b.began);
    for (let i = 1; i < byStart.length; i++) {
      assert.ok(byStart[i]!.began >= byStart[i - 1]!.ended, `call ${byStart[i]!.n} began before call ${byStart[i - 1]!.n} ended: ${JSON.stringify(byStart)}`);
    }
  });

  it('fails the run readably when no Python worker declares the task called', async () => {
    const { client, pythonQueue } = sqlite;
    const ref = await client.start('unknownTaskFlow', { queue: pythonQueue });
    const err = await client.waitForResult(ref).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof RunFailedError, String(err));
    assert.equal(err.failure?.type, 'PythonTaskUnknown');
    assert.match(err.failure?.message ?? '', new RegExp(`No Python worker declares task 'nope' on task queue '${pythonQueue}' \\(its tasks: ${MIXED_TASKS.join(', ')}\\)`));
  });
});

describe("the Python worker image's healthcheck (python -m sluice healthcheck)", () => {
  const healthcheck = (taskQueue: string, env: Record<string, string> = {}) =>
    spawnSync(venvPython(), ['-m', 'sluice', 'healthcheck', '--task-queue', taskQueue], { env: pythonEnv(env), encoding: 'utf8', timeout: 30_000 });

  it('with SLUICE_HEALTH_FILE (the image sets it): the worker reports that Temporal lists its polls, and the healthcheck only reads that', async () => {
    const { python, pythonQueue, healthFile } = sqlite;
    const identity = `${python.process.pid}@${hostname()} (python)`;
    const report = await eventually(() => {
      const r = existsSync(healthFile) && (JSON.parse(readFileSync(healthFile, 'utf8')) as Record<string, unknown>);
      return r && r.ok === true ? r : false;
    }, 20_000, `an ok health report in ${healthFile}`);
    assert.deepEqual({ ...report, checkedAt: undefined }, { ok: true, checkedAt: undefined, taskQueue: pythonQueue, identity });
    assert.ok(Math.abs(Date.now() - Date.parse(report.checkedAt as string)) < 20_000, `checked just now: ${report.checkedAt}`);

    // --task-queue names a queue nobody polls: the healthcheck reads the report and does not ask Temporal.
    const ok = healthcheck(uniqueName('nobody-polls'), { SLUICE_HEALTH_FILE: healthFile, TEMPORAL_ADDRESS: '127.0.0.1:1' });
    assert.equal(ok.status, 0, ok.stderr);
    const missing = path.join(path.dirname(healthFile), 'missing.json');
    const bad = healthcheck(pythonQueue, { SLUICE_HEALTH_FILE: missing });
    assert.equal(bad.status, 1);
    assert.equal(bad.stderr, `worker healthcheck: no health report at ${missing} yet (the worker writes one every 15 s once it polls)\n`);
  });

  it("passes while this host's Python worker polls its queue, and fails with the reason on a queue nobody polls", () => {
    const ok = healthcheck(sqlite.pythonQueue);
    assert.equal(ok.status, 0, ok.stderr);
    const idle = uniqueName('nobody-polls');
    const bad = healthcheck(idle);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, new RegExp(`worker healthcheck: no worker of \\S+ has polled task queue ${idle} in the last 90 s`));
  });

  it('exits with its own code every time, never aborted by the Temporal client while Python shuts down', () => {
    // Before the fix, 1 run in 10 died at exit (SIGABRT or SIGSEGV): 20 runs catch that 9 times in 10.
    const exits = Array.from({ length: 20 }, () => healthcheck(sqlite.pythonQueue)).map((r) => r.status ?? r.signal);
    assert.deepEqual(exits, Array(20).fill(0));
  });
});

describe('a Python worker killed with -9 in the middle of a task', () => {
  it('has the task retried by the next Python worker, resuming from its progress, and finished tasks not run again', async () => {
    const { client, pythonQueue, app, token } = sqlite;
    const dir = freshTmpDir('python-crash');
    const countFile = path.join(dir, 'count.txt');
    const ref = await client.start('crashFlow', { queue: pythonQueue, markerDir: dir, countFile, steps: 25 });
    // A retry resumes from the last report that reached Temporal as a heartbeat (throttled: the run page, fed
    // through the store, may be ahead of it), so the worker is killed once Temporal holds one of 3 or more.
    const progress = await eventually(async () => {
      const { raw } = await client.temporal.workflow.getHandle(ref.workflowId).describe();
      const slow = raw.pendingActivities?.find((p) => p.activityType?.name === 'slow_steps');
      const details = firstPayload(slow?.heartbeatDetails) as { done: number; total: number; message?: string } | undefined;
      return details && details.done >= 3 ? details : false;
    }, 20_000, 'the slow task to heartbeat its progress');
    assert.equal(progress.total, 25);
    assert.match(progress.message ?? '', /^step \d+ of 25$/);
    await sqlite.python.kill9();
    sqlite.python = await startPythonWorker({ module: 'mixed_tasks', taskQueue: pythonQueue, sluiceUrl: app.baseUrl, token });

    const result = (await client.waitForResult(ref)) as { before: number; slow: { resumedFrom: number; attempt: number } };
    assert.equal(result.before, 1);
    assert.ok(result.slow.attempt >= 2, `retried after the crash: ${JSON.stringify(result)}`);
    assert.ok(result.slow.resumedFrom >= 3, `resumed from the last progress: ${JSON.stringify(result)}`);
    assert.ok(existsSync(path.join(dir, 'slow-attempt-1')));
    assert.deepEqual(readFileSync(countFile, 'utf8').trim().split('\n'), ['counted'], 'the finished task did not run again');
  });
});

/** A TCP relay to the web app that can be cut: Sluice unreachable for the worker behind it, as in an outage. */
async function relayTo(baseUrl: string): Promise<{ url: string; cut(): Promise<void> }> {
  const target = new URL(baseUrl);
  const sockets = new Set<Socket>();
  const server = createServer((inbound) => {
    const outbound = connect(Number(target.port), target.hostname);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    cut: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    }),
  };
}

describe('lines of completed tasks while Sluice is unreachable, then kill -9', () => {
  it('are sent from the dead worker\'s spool by the next worker on the queue', async () => {
    const { client, store, app, flowsQueue } = sqlite;
    const pythonQueue = uniqueName('spool-py');
    const both = await workerToken(app.storeUrl, [pythonQueue, flowsQueue]);
    const spoolDir = freshTmpDir('python-spool-kept');
    const relay = await relayTo(app.baseUrl);
    let python = await startPythonWorker({ module: 'mixed_tasks', taskQueue: pythonQueue, sluiceUrl: relay.url, token: both, spoolDir });
    try {
      await relay.cut(); // published its tasks; from now on Sluice is out of its reach
      const ref = await client.start('mixedFlow', { queue: pythonQueue });
      await client.waitForResult(ref);
      await python.kill9(); // the tasks completed: their lines must be on disk, not only in memory
      assert.deepEqual(await store.readLogs({ runId: ref.runId, task: 'chatty', limit: 100 }), [], 'none reached Sluice before the kill');
      python = await startPythonWorker({ module: 'mixed_tasks', taskQueue: pythonQueue, sluiceUrl: app.baseUrl, token: both, spoolDir });
      const lines = await logsOf(store, ref.runId, (l) => l.some((x) => x.message === "published table 'said'"));
      assert.deepEqual(lines.filter((l) => l.task === 'chatty').map((l) => l.message), ['debug line', 'python says hello', 'printed 3', 'python warns', 'python errs', "published table 'said'"]);
      assert.deepEqual((await store.readArtifacts(ref.runId)).map((a) => a.key), ['said'], 'the artifact, kept in the spool, too');
      assert.deepEqual(lines.filter((l) => l.message === 'flaky attempt').map((l) => l.attempt), [1, 2, 3], 'every line once, in order');
      assert.match(python.output(), /sending \d+ log lines a stopped worker left in /);
    } finally {
      await python.stop();
    }
  });
});

describe('on PostgreSQL', () => {
  let db: TestDatabase;
  let pg: Setup;
  before(async () => {
    db = await createTestDatabase('python');
    pg = await setUp(db.url, 'pg');
  });
  after(async () => {
    await pg?.close();
    await db?.drop();
  });

  it('stores the Python task log lines with run, task and attempt', async () => {
    const ref = await pg.client.start('mixedFlow', { queue: pg.pythonQueue });
    await pg.client.waitForResult(ref);
    const lines = await logsOf(pg.store, ref.runId, (l) => l.some((x) => x.message === 'python errs'));
    const hello = lines.find((l) => l.message === 'python says hello')!;
    assert.deepEqual([hello.task, hello.attempt, hello.runId, hello.flow, hello.fields], ['chatty', 1, ref.runId, 'mixedFlow', { n: 3, 'field.runId': 'mine', nested: { ok: true, ratio: 0.5 } }]);
    assert.deepEqual(lines.filter((l) => l.message === 'flaky attempt').map((l) => l.attempt), [1, 2, 3]);
  });
});
