/**
 * What the pages read and do, against the real thing: the suite's Temporal dev server, a real worker serving
 * the pages fixtures (pages-fixtures/), and a real SQLite store. The presenters and commands are the code behind
 * every page and server action; the browser tests (browser-pages.test.ts) then check the pages around them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import path from 'node:path';
import type { SluiceClient } from 'sluice/client';
import type { RunRef } from 'sluice/client';
import type { Store } from 'sluice/internal/store';
import { eventually } from '../harness/eventually';
import { sqliteStoreUrl, testClient } from '../harness/sluice';
import { startWorker, type TestWorker } from '../harness/worker';
import { getFlowsOverview, getFlowView } from '../../web/lib/flows-presenter';
import { getHome } from '../../web/lib/home-presenter';
import { FEED_PAGE, logDownloadStream, logLineText, parseLogFeedQuery, readLogFeed, type LogFeedQuery, type LogLine } from '../../web/lib/log-feed';
import { cancelRun, deploymentCommand, rerunSame, startFromForm } from '../../web/lib/run-commands';
import { getRunView } from '../../web/lib/run-presenter';
import { getRunsList } from '../../web/lib/runs-presenter';

const FIXTURES = path.join(__dirname, 'pages-fixtures');
const USER = { startedBy: 'user:olga@sluice.test', email: 'olga@sluice.test', name: 'Olga' };

let worker: TestWorker;
let client: SluiceClient;
let store: Store;
let close: () => Promise<void>;

before(async () => {
  const storeUrl = sqliteStoreUrl('pages-presenters');
  worker = await startWorker({
    taskQueue: 'pages-presenters',
    storeUrl,
    workflows: path.join(FIXTURES, 'flows.ts'),
    activities: path.join(FIXTURES, 'tasks.ts'),
  });
  ({ client, store, close } = await testClient(storeUrl));
});

after(async () => {
  await close?.();
  await worker?.stop();
});

/** The form as a browser submits it: every value under its input name. */
function form(entries: Record<string, string | string[]>) {
  return (name: string) => {
    const v = entries[name];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  };
}

/** The real client, counting the runs it is asked to start. */
function countingClient() {
  let starts = 0;
  const counted = {
    getFlow: (name: string) => client.getFlow(name),
    start: (...args: Parameters<SluiceClient['start']>) => (starts++, client.start(...args)),
    startDeployment: (...args: Parameters<SluiceClient['startDeployment']>) => (starts++, client.startDeployment(...args)),
    rerun: (...args: Parameters<SluiceClient['rerun']>) => (starts++, client.rerun(...args)),
  };
  return { counted, starts: () => starts };
}

describe('starting runs from the generated form', () => {
  test('bad input gives field errors and starts nothing', async () => {
    const { counted, starts } = countingClient();
    const outcome = await startFromForm(counted, {
      flow: 'pagesReport',
      get: form({ 'p.station': 'east', 'p.days': '40', 'p.stepMs': 'fast' }),
      startedBy: USER.startedBy,
    });
    assert.equal(outcome.ok, false);
    assert.ok(!outcome.ok);
    assert.match(outcome.fieldErrors!.station, /Choose one of: north, south/);
    assert.match(outcome.fieldErrors!.days, /at most 30/);
    assert.match(outcome.fieldErrors!.stepMs, /whole number/);
    assert.equal(starts(), 0, 'nothing was started');
  });

  test("what only the flow's schema can check comes back beside its field, and nothing runs", async () => {
    // options is edited as JSON: the form checks it is JSON, the flow's schema checks its shape.
    const before = (await client.listRuns({ flow: 'pagesReport', startedBy: 'user:nobody@sluice.test' })).runs.length;
    const outcome = await startFromForm(client, {
      flow: 'pagesReport',
      get: form({ 'p.station': 'north', 'p.options': '{"depth": "deep"}' }),
      startedBy: 'user:nobody@sluice.test',
    });
    assert.ok(!outcome.ok);
    assert.match(outcome.fieldErrors!.options, /depth/);
    assert.match(outcome.error, /refused these parameters/);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await client.listRuns({ flow: 'pagesReport', startedBy: 'user:nobody@sluice.test' })).runs.length, before);
  });

  test('an unknown flow is a readable error', async () => {
    const outcome = await startFromForm(client, { flow: 'noSuchFlow', get: form({}), startedBy: USER.startedBy });
    assert.ok(!outcome.ok);
    assert.match(outcome.error, /Unknown flow "noSuchFlow"/);
  });

  test('good input starts a run with typed parameters; its page shows tasks, result and logs', async () => {
    const outcome = await startFromForm(client, {
      flow: 'pagesReport',
      get: form({ 'p.station': 'south', 'p.days': '2', 'p.stepMs': '50', 'p.tags': 'a\nb', 'p.options': '{"depth": 2}' }),
      startedBy: USER.startedBy,
    });
    assert.ok(outcome.ok, JSON.stringify(outcome));
    const ref = outcome.value;
    assert.deepEqual(await client.waitForResult(ref), { station: 'south', days: 2, total: 30 });

    const view = await getRunView(client, ref.workflowId, ref.runId);
    assert.ok(view);
    assert.equal(view.run.status, 'completed');
    assert.equal(view.run.startedBy, USER.startedBy);
    assert.deepEqual(view.run.parameters, { station: 'south', days: 2, stepMs: 50, tags: ['a', 'b'], options: { depth: 2 } });
    assert.equal(view.rows.length, 2);
    for (const row of view.rows) {
      assert.equal(row.task.task, 'pagesStep');
      assert.ok(row.offsetPct >= 0 && row.offsetPct + row.widthPct <= 100.01, `bar inside the run: ${row.offsetPct}+${row.widthPct}`);
    }
    assert.ok(view.rows[1].offsetPct >= view.rows[0].offsetPct, 'tasks in order on the timeline');
    assert.match(view.run.temporalWebUrl, new RegExp(`/workflows/${encodeURIComponent(ref.workflowId)}/${ref.runId}/history$`));

    const lines = await eventually(async () => {
      const l = (await readLogFeed(client.store, ref.runId, {})).lines;
      return l.some((x) => x.message === 'report done') && l;
    }, 15_000, 'the run’s log lines');
    assert.deepEqual(
      lines.filter((l) => l.task === 'pagesStep').map((l) => l.message),
      ['processing day 1', 'processing day 2'],
    );
    assert.ok(lines.every((l, i) => i === 0 || l.id > lines[i - 1].id), 'oldest first');
  });

  test('a deployment starts with its parameters, the form overriding some', async () => {
    const outcome = await startFromForm(client, { flow: 'pagesReport', deployment: 'by-hand', get: form({ 'p.days': '1' }), startedBy: USER.startedBy });
    assert.ok(outcome.ok, JSON.stringify(outcome));
    assert.deepEqual(await client.waitForResult(outcome.value), { station: 'south', days: 1, total: 10 });
    const run = await client.getRun(outcome.value.workflowId, outcome.value.runId);
    assert.equal(run?.deployment, 'by-hand');
  });

  test('re-run with changes and re-run as it was', async () => {
    const first = await client.start('pagesReport', { station: 'north', days: 1, stepMs: 0 }, { startedBy: USER.startedBy });
    await client.waitForResult(first);
    const changed = await startFromForm(client, { flow: 'pagesReport', from: first, get: form({ 'p.station': 'south', 'p.days': '3', 'p.stepMs': '0' }), startedBy: 'user:ed@sluice.test' });
    assert.ok(changed.ok, JSON.stringify(changed));
    assert.deepEqual(await client.waitForResult(changed.value), { station: 'south', days: 3, total: 60 });
    const same = await rerunSame(client, first, 'user:ed@sluice.test');
    assert.ok(same.ok);
    assert.notEqual(same.value.workflowId, first.workflowId);
    assert.deepEqual(await client.waitForResult(same.value), { station: 'north', days: 1, total: 10 });
    assert.equal((await client.getRun(same.value.workflowId))?.startedBy, 'user:ed@sluice.test');
    const bad = await rerunSame(client, { workflowId: 'no-such-run', runId: '00000000-0000-0000-0000-000000000000' }, USER.startedBy);
    assert.ok(!bad.ok);
    assert.match(bad.error, /No run no-such-run/);
  });
});

describe('a run page', () => {
  test('retries are visible: attempts, retries and the failure before them', async () => {
    const ref = await client.start('pagesFlaky', {}, { startedBy: USER.startedBy });
    await client.waitForResult(ref);
    const view = (await getRunView(client, ref.workflowId, ref.runId))!;
    assert.equal(view.rows.length, 1);
    const [row] = view.rows;
    assert.equal(row.task.attempts, 3);
    assert.equal(row.retries, 2);
    assert.equal(row.task.maximumAttempts, 4);
    assert.match(row.task.lastFailure?.message ?? '', /gauge offline \(attempt 2\)/);
    assert.equal(view.taskSummary.retried, 1);
    const problems = (await getRunView(client, ref.workflowId, ref.runId, { tasks: 'problems' }))!;
    assert.equal(problems.rows.length, 1, 'a retried task counts as trouble');
  });

  test('a failed run shows its readable message first, and is among the recent failures', async () => {
    const ref = await client.start('pagesBroken', {}, { startedBy: USER.startedBy });
    await assert.rejects(client.waitForResult(ref));
    const view = (await getRunView(client, ref.workflowId, ref.runId))!;
    assert.equal(view.run.status, 'failed');
    const failure = view.run.failure!;
    const all = [failure.message, ...failure.causes.map((c) => c.message)].join(' | ');
    assert.match(all, /the upstream file has no header row/);
    assert.equal(view.taskSummary.failed, 1);
    const home = await eventually(async () => {
      const h = await getHome(client);
      return h.failures.ok && h.failures.value.some((r) => r.workflowId === ref.workflowId) && h;
    }, 15_000, 'the failure on the home page');
    assert.ok(home.failures.ok);
    const list = await eventually(async () => {
      const l = await getRunsList(client, { flow: 'pagesBroken', status: 'failed' });
      return l.runs.some((r) => r.workflowId === ref.workflowId) && l;
    }, 15_000, 'the failure in the runs list');
    assert.ok((list.counts.byStatus.failed ?? 0) >= 1);
    assert.equal(list.counts.byStatus.completed ?? 0, 0);
  });

  test('a running run is on the home page and can be cancelled', async () => {
    const ref = await client.start('pagesWait', { seconds: 120 }, { startedBy: USER.startedBy });
    const home = await eventually(async () => {
      const h = await getHome(client);
      return h.running.ok && h.running.value.some((r) => r.workflowId === ref.workflowId) && h;
    }, 15_000, 'the run on the home page');
    assert.equal(home.anyRunning, true);
    const list = await eventually(async () => {
      const l = await getRunsList(client, { flow: 'pagesWait', status: 'running' });
      return l.runs.some((r) => r.workflowId === ref.workflowId) && l;
    }, 15_000, 'the running run in the list');
    assert.equal(list.anyRunning, true, 'the list refreshes itself while a run runs');
    await eventually(async () => (await readLogFeed(client.store, ref.runId, { search: 'still waiting' })).lines.length > 0, 15_000, 'a log line while it runs');

    const outcome = await cancelRun(client, ref);
    assert.ok(outcome.ok);
    await eventually(async () => (await client.getRun(ref.workflowId, ref.runId))?.status === 'cancelled', 20_000, 'the run cancelled');
    const bad = await cancelRun(client, { workflowId: '', runId: 'x' });
    assert.ok(!bad.ok);
    assert.match(bad.error, /workflowId is missing/);
  });

  test('a thousand tasks are shown a hundred at a time', async () => {
    const ref = await client.start('pagesReport', { station: 'north', days: 30, stepMs: 0 }, { startedBy: USER.startedBy });
    await client.waitForResult(ref);
    const page1 = (await getRunView(client, ref.workflowId, ref.runId))!;
    assert.equal(page1.taskSummary.total, 30);
    assert.equal(page1.taskPages, 1);
    // The paging itself, on the presenter's arithmetic with a larger run's shape:
    const { timelineRows } = await import('../../web/lib/run-presenter');
    const many = Array.from({ length: 1000 }, (_, i) => ({ ...page1.run.tasks[0], activityId: String(i) }));
    const fake = { ...page1.run, tasks: many };
    const view = (await getRunView({ getRun: async () => fake, getFlow: async () => undefined }, 'x', 'y', { taskPage: '10' }))!;
    assert.equal(view.taskPages, 10);
    assert.equal(view.taskPage, 10);
    assert.equal(view.rows.length, 100);
    assert.equal(view.rows[0].task.activityId, '900');
    assert.equal(timelineRows(fake, many).rows.length, 1000);
  });
});

describe('flows and deployments', () => {
  test('each flow with its parameters and deployments; schedules in words with next run times', async () => {
    const overview = await eventually(async () => {
      const o = await getFlowsOverview(client);
      const f = o.flows.find((x) => x.flow.name === 'pagesReport');
      return f?.deployments.every((d) => d.live) && o;
    }, 20_000, 'the deployments in Temporal');
    const report = overview.flows.find((x) => x.flow.name === 'pagesReport')!;
    assert.equal(report.flow.description, 'A small report: one step per day, a log line each.');
    assert.deepEqual(report.parameters.map((p) => p.name), ['station', 'days', 'stepMs', 'note', 'options', 'tags']);
    const nightly = report.deployments.find((d) => d.name === 'nightly')!;
    assert.equal(nightly.schedule, 'At 03:00 (Europe/Amsterdam)');
    assert.ok(nightly.live!.nextRunTimes.length > 0);
    assert.ok(Date.parse(nightly.live!.nextRunTimes[0]) > Date.now());
    const byHand = report.deployments.find((d) => d.name === 'by-hand')!;
    assert.equal(byHand.schedule, 'Manual only (no schedule)');
    assert.deepEqual(byHand.parameters, { station: 'south', days: 2 });
    assert.equal((await getFlowView(client, 'noSuchFlow')), undefined);
    const home = await getHome(client);
    assert.ok(home.nextRuns.ok);
    const nightlyRows = home.nextRuns.value.filter((r) => r.flow === 'pagesReport' && r.deployment === 'nightly');
    assert.equal(nightlyRows.length, 1, 'the home page lists a deployment once, at its next run');
    assert.equal(nightlyRows[0].at, nightly.live!.nextRunTimes[0]);
    assert.ok(!home.nextRuns.value.some((r) => r.deployment === 'by-hand'), 'a manual deployment has no next run');
  });

  test('pause with a note, resume, run now', async () => {
    const paused = await deploymentCommand(client, 'pause', { flow: 'pagesReport', deployment: 'nightly', note: 'gauge maintenance' }, USER);
    assert.ok(paused.ok, JSON.stringify(paused));
    let view = (await getFlowView(client, 'pagesReport'))!;
    let nightly = view.deployments.find((d) => d.name === 'nightly')!.live!;
    assert.equal(nightly.paused, true);
    assert.equal(nightly.note, 'gauge maintenance (olga@sluice.test)');

    const resumed = await deploymentCommand(client, 'resume', { flow: 'pagesReport', deployment: 'nightly' }, USER);
    assert.ok(resumed.ok);
    view = (await getFlowView(client, 'pagesReport'))!;
    nightly = view.deployments.find((d) => d.name === 'nightly')!.live!;
    assert.equal(nightly.paused, false);

    const now = await deploymentCommand(client, 'trigger', { flow: 'pagesReport', deployment: 'by-hand' }, USER);
    assert.ok(now.ok && now.value);
    assert.deepEqual(await client.waitForResult(now.value as RunRef), { station: 'south', days: 2, total: 30 });

    const unknown = await deploymentCommand(client, 'pause', { flow: 'pagesReport', deployment: 'weekly' }, USER);
    assert.ok(!unknown.ok);
    assert.match(unknown.error, /has no deployment "weekly"/);
    const tooLong = await deploymentCommand(client, 'pause', { flow: 'pagesReport', deployment: 'nightly', note: 'x'.repeat(501) }, USER);
    assert.ok(!tooLong.ok);
    assert.match(tooLong.error, /note/);
  });
});

describe('runs list', () => {
  test('filters from the URL; a wrong one is dropped with a notice', async () => {
    const list = await getRunsList(client, { flow: 'pagesReport', status: 'exploded', range: '24h' });
    assert.ok(list.runs.length > 0);
    assert.ok(list.runs.every((r) => r.flow === 'pagesReport'));
    assert.match(list.notices[0], /status=“exploded”/);
    assert.ok(list.flows.includes('pagesReport'));
    const mine = await getRunsList(client, { flow: 'pagesReport', startedBy: 'user:ed@sluice.test' });
    assert.ok(mine.runs.length >= 2 && mine.runs.every((r) => r.startedBy === 'user:ed@sluice.test'));
    const sorted = mine.runs.map((r) => r.startTime);
    assert.deepEqual(sorted, [...sorted].sort().reverse(), 'newest first');
  });

  test('pages follow each other without repeating a run', async () => {
    const first = await getRunsList(client, { flow: 'pagesReport', pageSize: '25' });
    const total = first.counts.total;
    assert.ok(total >= 5, `enough runs to page (${total})`);
    // Smallest page size the list offers is 25: page through with the client's own token instead.
    const one = await client.listRuns({ flow: 'pagesReport' }, { pageSize: 2 });
    assert.ok(one.nextPageToken);
    const two = await getRunsList({ ...client, listRuns: (f, p) => client.listRuns(f, { ...p, pageSize: 2 }), countRuns: (f) => client.countRuns(f), listFlows: () => client.listFlows() }, { flow: 'pagesReport', pageToken: one.nextPageToken!, page: '2' });
    assert.equal(two.search.page, 2);
    const ids = new Set(one.runs.map((r) => r.runId));
    assert.ok(two.runs.length > 0 && two.runs.every((r) => !ids.has(r.runId)));
  });
});

describe('logs', () => {
  const runId = 'pages-bulk-run';
  const N = 100_000;

  before(async () => {
    const t0 = Date.parse('2024-05-01T00:00:00Z');
    for (let start = 0; start < N; start += 10_000) {
      await store.insertLogs(
        Array.from({ length: 10_000 }, (_, k) => {
          const i = start + k;
          return {
            time: t0 + i,
            level: i % 1000 === 0 ? ('error' as const) : i % 100 === 0 ? ('warn' as const) : ('info' as const),
            message: i === 77_777 ? 'the needle line\nwith a second line' : `line ${i}`,
            fields: { i },
            workflowId: 'pages-bulk',
            runId,
            task: i % 2 ? 'odd' : 'even',
            attempt: 1,
          };
        }),
      );
    }
  });

  /** A filtered read searches a part of the run a request: read on from its cursor, as the viewer does. */
  async function readOn(q: LogFeedQuery) {
    const lines: LogLine[] = [];
    for (let afterId = 0; ; ) {
      const page = await readLogFeed(client.store, runId, { ...q, afterId });
      lines.push(...page.lines);
      if (!page.more || lines.length >= (q.limit ?? FEED_PAGE)) return lines;
      afterId = page.afterId;
    }
  }

  test('100,000 lines: the newest page, earlier pages and filters answer quickly', async () => {
    let started = Date.now();
    const tail = (await readLogFeed(client.store, runId, { order: 'desc', limit: 1000 })).lines;
    const tailMs = Date.now() - started;
    assert.equal(tail.length, 1000);
    assert.equal(tail[999].message, `line ${N - 1}`, 'newest last');
    assert.equal(tail[0].message, `line ${N - 1000}`);
    const earlier = (await readLogFeed(client.store, runId, { order: 'desc', beforeId: tail[0].id, limit: 1000 })).lines;
    assert.equal(earlier[999].id, tail[0].id - 1);
    started = Date.now();
    const errors = await readOn({ minLevel: 'error', limit: 1000 });
    assert.equal(errors.length, 100);
    const needle = await readOn({ search: 'NEEDLE' });
    const filterMs = Date.now() - started;
    assert.equal(needle.length, 1);
    assert.deepEqual(needle[0].fields, { i: 77_777 });
    const odd = (await readLogFeed(client.store, runId, { task: 'odd', limit: 10 })).lines;
    assert.ok(odd.every((l) => l.task === 'odd'));
    assert.ok(tailMs < 2000 && filterMs < 5000, `tail ${tailMs} ms, filters ${filterMs} ms`);
  });

  test('the download streams every line, in order, as text or NDJSON', async () => {
    const started = Date.now();
    const text = await new Response(await logDownloadStream(client, runId, {}, 'text')).text();
    const lines = text.trimEnd().split('\n');
    // The needle's second line is indented under it: one record, two text lines.
    assert.equal(lines.length, N + 1);
    assert.equal(lines[0], '2024-05-01T00:00:00.000Z ERROR [even] line 0 {"i":0}');
    assert.equal(lines.at(-1), `2024-05-01T00:01:39.999Z INFO  [odd] line ${N - 1} {"i":${N - 1}}`);
    assert.ok(lines.includes('2024-05-01T00:01:17.777Z INFO  [odd] the needle line'));
    assert.ok(lines.includes('    with a second line {"i":77777}'));
    assert.ok(Date.now() - started < 20_000, 'streams 100,000 lines within 20 s');

    const ndjson = await new Response(await logDownloadStream(client, runId, { minLevel: 'warn' }, 'ndjson')).text();
    const records = ndjson.trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.equal(records.length, 1000);
    assert.deepEqual(Object.keys(records[0]).sort(), ['attempt', 'fields', 'id', 'level', 'message', 'task', 'time']);
  });

  test('a download whose store stops answering fails: at once before the first page, as an error after it', async () => {
    const down = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    await assert.rejects(logDownloadStream({ readLogs: () => Promise.reject(down) }, runId, {}, 'text'), down);

    let reads = 0;
    const failing = { readLogs: async (q: Parameters<typeof client.readLogs>[0]) => (reads++ === 0 ? client.readLogs(q) : Promise.reject(down)) };
    const reported: unknown[] = [];
    const stream = await logDownloadStream(failing, runId, {}, 'text', (err) => reported.push(err));
    const reader = stream.getReader();
    const first = await reader.read();
    assert.ok(!first.done && first.value.length > 0, 'the first page arrives');
    await assert.rejects(reader.read(), down, 'the next read fails: the stream does not end as if complete');
    assert.deepEqual(reported, [down]);
  });

  test('log queries are validated', () => {
    assert.deepEqual(parseLogFeedQuery(new URLSearchParams('afterId=5&minLevel=warn&search=')), { ok: true, value: { afterId: 5, minLevel: 'warn' } });
    const bad = parseLogFeedQuery(new URLSearchParams('minLevel=loud'));
    assert.ok(!bad.ok);
    assert.match(bad.error, /minLevel/);
    assert.ok(!parseLogFeedQuery(new URLSearchParams('limit=5000')).ok);
    assert.equal(logLineText({ time: 0, level: 'warn', message: 'm', task: 't', attempt: 2 }), '1970-01-01T00:00:00.000Z WARN  [t #2] m');
  });
});

describe('flows of several task queues', () => {
  test('each flow shows its task queue, the list filters by queue, and gone flows are apart and cannot start', async () => {
    const entry = (name: string, taskQueue: string) => ({ name, taskQueue, description: null, parametersSchema: { type: 'object', properties: {} }, deployments: [{ name: 'daily', cron: '0 6 * * *' }], updatedAt: Date.now() });
    await store.publishFlows('coast', [entry('coastTides', 'coast'), entry('coastRetired', 'coast')]);
    await store.publishFlows('coast', [entry('coastTides', 'coast')]);

    const all = await getFlowsOverview(client);
    assert.deepEqual(all.queues, ['coast', 'pages-presenters']);
    assert.equal(all.queue, null);
    assert.equal(all.flows.find((f) => f.flow.name === 'coastTides')?.flow.taskQueue, 'coast');
    assert.equal(all.flows.find((f) => f.flow.name === 'pagesReport')?.flow.taskQueue, 'pages-presenters');
    assert.deepEqual(all.gone.map((f) => [f.name, f.taskQueue]), [['coastRetired', 'coast']]);
    assert.ok(!all.flows.some((f) => f.flow.name === 'coastRetired'), 'a gone flow is not among the flows one can run');

    const coast = await getFlowsOverview(client, { queue: 'coast' });
    assert.equal(coast.queue, 'coast');
    assert.deepEqual(coast.flows.map((f) => f.flow.name), ['coastTides']);
    assert.deepEqual(coast.gone.map((f) => f.name), ['coastRetired']);
    const mine = await getFlowsOverview(client, { queue: 'pages-presenters' });
    assert.ok(mine.flows.every((f) => f.flow.taskQueue === 'pages-presenters') && mine.flows.length > 0);
    assert.deepEqual(mine.gone, []);

    const view = (await getFlowView(client, 'coastRetired'))!;
    assert.ok(view.flow.goneAt);
    assert.deepEqual(view.deployments, [], 'a gone flow shows no declared deployment waiting for a sync');
    const outcome = await startFromForm(client, { flow: 'coastRetired', get: form({}), startedBy: USER.startedBy });
    assert.ok(!outcome.ok);
    assert.match(outcome.error, /Flow coastRetired is no longer served: its task queue coast stopped declaring it at/);
  });
});
