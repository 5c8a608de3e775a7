// The tasks Python workers publish, in the web app: the Flows page lists them by task queue with their declared
// options in words and the worker that published them, GET /api/flows returns them, and a task its queue's
// worker stops declaring disappears from both. The tasks are published by the Python package's own worker API
// client (`WorkerApi.publish_tasks`, what `python -m sluice worker` calls at start-up), so the web app reads what a
// real worker sends.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { openStore, type Store } from 'sluice/internal/store';
import { describeTaskOptions } from '../../web/lib/task-options-words';
import { durationToWords } from '../../web/lib/schedule-words';
import { createTestDatabase } from '../harness/postgres';
import { pythonEnv, venvPython, workerToken } from '../harness/python';
import { sqliteStoreUrl } from '../harness/sluice';
import { pageOutcome, startWebApp, type WebApp } from './harness';

const WORKER = '4242@gauge-host (python)';

/** Python keyword arguments of `task_options` per task, per task queue. */
type Declarations = Record<string, Record<string, Record<string, unknown>>>;

/** Publishes each queue's whole set of tasks as a Python worker does at its start: through the web app's worker API. */
async function publishAsPythonWorker(app: WebApp, declarations: Declarations): Promise<void> {
  const token = await workerToken(app.storeUrl, Object.keys(declarations));
  const script = [
    'import json, sys',
    'from sluice.options import task_options',
    'from sluice.worker_api import WorkerApi',
    'api = WorkerApi(sys.argv[1], sys.argv[2])',
    'for queue, tasks in json.loads(sys.argv[3]).items():',
    '    api.publish_tasks(queue, {name: task_options(name, **kw).published() for name, kw in tasks.items()}, sys.argv[4])',
  ].join('\n');
  execFileSync(venvPython(), ['-c', script, app.baseUrl, token, JSON.stringify(declarations), WORKER], { env: pythonEnv(), stdio: ['ignore', 'pipe', 'inherit'] });
}

/** The text of a task's row under its task queue on the Flows page (tags and React's markers dropped). */
function taskRow(html: string, taskQueue: string, task: string): string | undefined {
  const group = new RegExp(`data-task-queue="${taskQueue}"[\\s\\S]*?</table>`).exec(html)?.[0];
  const row = group && new RegExp(`<tr[^>]*data-task="${task}"[^>]*>([\\s\\S]*?)</tr>`).exec(group)?.[1];
  return row
    ?.replace(/<\/td>/g, ' | ')
    .replace(/<[^>]*>/g, '')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

test('declared task options read as words; durations in the largest whole unit', () => {
  assert.deepEqual(describeTaskOptions({ retries: 3, retryDelay: 1000, backoff: 2, maxRetryDelay: 60_000, timeout: 600_000 }), [
    '3 retries, the first after 1 second, each next one 2× later, at most 1 minute apart',
    'timeout 10 minutes per attempt',
  ]);
  assert.deepEqual(describeTaskOptions({ retries: 0, retryDelay: 1000, backoff: 2, maxRetryDelay: 60_000, timeout: 45_000, heartbeatTimeout: 1500, nonRetryableErrors: ['ValueError', 'GridError'] }), [
    'no retries',
    'timeout 45 seconds per attempt',
    'heartbeat at least every 1500 milliseconds',
    'not retried on ValueError, GridError',
  ]);
  assert.deepEqual(describeTaskOptions({ retries: 1, retryDelay: '30s', backoff: 2, maxRetryDelay: '1m' }), ['1 retry, the first after 30 seconds'], 'one retry has no backoff nor cap to speak of');
  assert.deepEqual(describeTaskOptions({}), [], 'nothing published, nothing guessed');
  assert.equal(durationToWords(7_200_000), '2 hours');
  assert.equal(durationToWords('soon'), 'soon');
});

describe('Python tasks on the Flows page and in GET /api/flows', () => {
  let app: WebApp;
  let store: Store;
  let storeUrl: string;
  before(async () => {
    storeUrl = sqliteStoreUrl('python-tasks-web');
    app = await startWebApp({ storeUrl });
    store = await openStore(storeUrl);
    await publishAsPythonWorker(app, {
      hydrology: {
        interpolate: { retries: 2, retry_delay: '5s', backoff: 3, max_retry_delay: '2m', timeout: '30m', heartbeat_timeout: '1m', non_retryable_errors: ['GridError'] },
        aggregate: {},
      },
      gis: { reproject: { retries: 0, timeout: '45s' } },
    });
  });
  after(async () => {
    await app?.stop();
    await store?.close();
  });

  test('the API returns each live task with its queue, declared options, worker and publication time', async () => {
    const res = await app.fetch('/api/flows', { as: 'viewer' });
    assert.equal(res.status, 200);
    const { tasks } = (await res.json()) as { tasks: { name: string; taskQueue: string; language: string; options: Record<string, unknown>; worker: string; publishedAt: string }[] };
    assert.deepEqual(
      tasks.map((t) => [t.taskQueue, t.name, t.language, t.worker]),
      [['gis', 'reproject', 'python', WORKER], ['hydrology', 'aggregate', 'python', WORKER], ['hydrology', 'interpolate', 'python', WORKER]],
    );
    assert.deepEqual(tasks[2]!.options, { retries: 2, retryDelay: 5000, backoff: 3, maxRetryDelay: 120_000, timeout: 1_800_000, heartbeatTimeout: 60_000, nonRetryableErrors: ['GridError'] });
    assert.deepEqual(tasks[1]!.options, { retries: 3, retryDelay: 1000, backoff: 2, maxRetryDelay: 60_000, timeout: 600_000 }, 'the defaults, filled in by the worker');
    const [row] = await store.db.selectFrom('tasks').select('updated_at').where('name', '=', 'reproject').execute();
    assert.equal(tasks[0]!.publishedAt, new Date(Number(row!.updated_at)).toISOString());
  });

  test('the Flows page lists them by task queue, options in words, with worker and time; ?queue= shows one queue', async () => {
    const { outcome, body } = await pageOutcome(await app.fetch('/flows', { as: 'viewer' }));
    assert.equal(outcome, 'ok');
    assert.match(body, /<h2 id="python-tasks">Python tasks<\/h2>/);
    assert.ok(body.indexOf('data-task-queue="gis"') < body.indexOf('data-task-queue="hydrology"'), 'queues in order');
    assert.match(
      taskRow(body, 'hydrology', 'interpolate') ?? '',
      /^interpolate \| 2 retries, the first after 5 seconds, each next one 3× later, at most 2 minutes apart; timeout 30 minutes per attempt; heartbeat at least every 1 minute; not retried on GridError \| 4242@gauge-host \(python\) at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \|$/,
    );
    assert.match(taskRow(body, 'hydrology', 'aggregate') ?? '', /^aggregate \| 3 retries, the first after 1 second, each next one 2× later, at most 1 minute apart; timeout 10 minutes per attempt \| /);
    assert.match(taskRow(body, 'gis', 'reproject') ?? '', /^reproject \| no retries; timeout 45 seconds per attempt \| /);
    assert.doesNotMatch(body, /No flow yet/, 'a store with Python tasks is not empty');
    assert.match(body, /<option value="gis">gis<\/option>/, 'their queues are in the filter');

    const gis = (await pageOutcome(await app.fetch('/flows?queue=gis', { as: 'viewer' }))).body;
    assert.ok(taskRow(gis, 'gis', 'reproject'));
    assert.doesNotMatch(gis, /data-task-queue="hydrology"/);
    assert.doesNotMatch(gis, /No flow is served on task queue gis/, 'the queue serves tasks, so it is not said to be empty');
  });

  test('a task its queue no longer declares (the worker restarted without it) disappears from page and API', async () => {
    await publishAsPythonWorker(app, { hydrology: { interpolate: {} } });
    const { tasks } = (await (await app.fetch('/api/flows', { as: 'viewer' })).json()) as { tasks: { name: string; options: Record<string, unknown> }[] };
    assert.deepEqual(tasks.map((t) => t.name), ['reproject', 'interpolate']);
    assert.equal(tasks[1]!.options.retries, 3, 'its new declaration replaces the old one');
    const body = (await pageOutcome(await app.fetch('/flows', { as: 'viewer' }))).body;
    assert.equal(taskRow(body, 'hydrology', 'aggregate'), undefined);
    assert.match(taskRow(body, 'hydrology', 'interpolate') ?? '', /^interpolate \| 3 retries/);
    assert.equal((await store.db.selectFrom('tasks').select('gone_at').where('name', '=', 'aggregate').executeTakeFirstOrThrow()).gone_at !== null, true, 'kept in the store, gone');

    await publishAsPythonWorker(app, { gis: {} }); // the gis worker now declares nothing
    assert.deepEqual(((await (await app.fetch('/api/flows', { as: 'viewer' })).json()) as { tasks: { name: string }[] }).tasks.map((t) => t.name), ['interpolate']);
  });
});

test('on PostgreSQL too, listTasks gives the live tasks of every queue, by queue then name', async () => {
  const db = await createTestDatabase('python_tasks_web');
  const app = await startWebApp({ storeUrl: db.url });
  const store = await openStore(db.url);
  try {
    await publishAsPythonWorker(app, { hydrology: { interpolate: { retries: 1 }, aggregate: {} }, gis: { reproject: {} } });
    await publishAsPythonWorker(app, { hydrology: { interpolate: { retries: 1 } } });
    assert.deepEqual(
      (await store.listTasks()).map((t) => [t.taskQueue, t.name, t.options.retries, t.worker]),
      [['gis', 'reproject', 3, WORKER], ['hydrology', 'interpolate', 1, WORKER]],
    );
  } finally {
    await store.close();
    await app.stop();
    await db.drop();
  }
});
