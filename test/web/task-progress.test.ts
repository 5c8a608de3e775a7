/**
 * A task's progress() on the run page and in the HTTP API, live: the real app (`next start`), the suite's Temporal,
 * a real worker and Debian's Chromium. The bar of a counting task advances while it runs, never ahead of the task's
 * own log and never PROGRESS_LAG_MS behind it (the 1 s target is the bench's: progress-latency); a task that reports nothing shows how long it has run; GET /api/runs/{id}
 * carries the same progress; the page's progress feed refuses a bad query by name.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { RunRef, SluiceClient, TaskRun } from 'sluice/client';
import type { Store } from 'sluice/internal/store';
import { eventually } from '../harness/eventually';
import { assertFollowsLog, openProgressBar, stepTimes } from '../harness/progress-lag';
import { uniqueName } from '../harness/temporal';
import type { WebApp } from './harness';
import { startBrowserStack, type BrowserStack } from './browser-stack';

const FIXTURES = {
  workflows: path.resolve(__dirname, '../fixtures/progress-flows.ts'),
  activities: path.resolve(__dirname, '../fixtures/progress-tasks.ts'),
};

let app: WebApp;
let browser: Browser;
let client: SluiceClient;
let store: Store;
let stack: BrowserStack;

before(async () => {
  stack = await startBrowserStack({ taskQueue: uniqueName('progress'), ...FIXTURES });
  ({ app, client, store, browser } = stack);
});

after(async () => {
  await stack?.stop();
});

const start = (steps: number, stepMs: number): Promise<RunRef> => client.start('progressFlow', { steps, stepMs }, { startedBy: 'test:progress' });
const taskOf = (tasks: TaskRun[], name: string) => tasks.find((t) => t.task === name);

describe('progress on the run page', () => {
  test("the bar advances while the task runs, within seconds of the task's log, never ahead; a task without progress shows its running time", async () => {
    // Long enough to outlast opening the page on a busy machine and five seconds of watching.
    const steps = 120;
    const ref = await start(steps, 150);
    const { context, page } = await openProgressBar(browser, app, ref, 'countSteps', steps);
    // The task without progress shows how long it has been running, ticking, and no bar.
    const quiet = page.locator('[data-task="quietWait"] .track');
    assert.equal(await quiet.getByRole('progressbar').count(), 0);
    const first = await quiet.innerText();
    assert.match(first, /^running for \d+(\.\d+)? (ms|s)$/);
    await eventually(async () => (await quiet.innerText()) !== first, 5_000, 'the running time to tick');

    // Sampled in the page every 50 ms while the task counts: the value shown, its words, and when.
    const samples = await page.evaluate(async (durationMs) => {
      const out: { at: number; done: number; text: string }[] = [];
      const end = Date.now() + durationMs;
      while (Date.now() < end) {
        const el = document.querySelector<HTMLProgressElement>('[data-task="countSteps"] progress');
        if (el) out.push({ at: Date.now(), done: el.value, text: el.parentElement?.textContent ?? '' });
        await new Promise((r) => setTimeout(r, 50));
      }
      return out;
    }, 5_000);

    const done = new Set(samples.map((s) => s.done));
    assert.ok(done.size >= 5, `the bar advanced while the task ran: values seen ${[...done].join(', ')}`);
    for (const s of samples) assert.match(s.text, new RegExp(`step ${s.done} of ${steps} · ${Math.floor((s.done / steps) * 100)}%`));
    assert.deepEqual(samples.map((s) => s.done), [...samples.map((s) => s.done)].sort((a, b) => a - b), 'it never steps back');

    await client.waitForResult(ref);
    assertFollowsLog(samples, await stepTimes(store, ref.runId, 'countSteps'), 'the page');
    // Closed, the task is a bar on the timeline again, not a progress bar.
    await page.locator('h1 [data-status="completed"]').waitFor({ timeout: 15_000 });
    await eventually(async () => (await page.getByRole('progressbar').count()) === 0, 10_000, 'no progress bar once the tasks closed');
    await context.close();
  });
});

describe('progress in the HTTP API', () => {
  test('GET /api/runs/{workflowId} carries each open task\'s progress, within seconds of its log, and null once it closed', async () => {
    const ref = await start(40, 150);
    const samples: { at: number; until: number; done: number }[] = [];
    await eventually(async () => {
      const asked = Date.now();
      const res = await app.fetch(`/api/runs/${encodeURIComponent(ref.workflowId)}`, { as: 'viewer' });
      assert.equal(res.status, 200);
      const run = (await res.json()) as { status: string; tasks: TaskRun[] };
      const counting = taskOf(run.tasks, 'countSteps');
      if (counting?.progress) {
        assert.deepEqual(Object.keys(counting.progress).sort(), ['done', 'message', 'reportedAt', 'total']);
        assert.equal(counting.progress.total, 40);
        assert.equal(counting.progress.message, `step ${counting.progress.done} of 40`);
        assert.ok(Date.parse(counting.progress.reportedAt!) <= Date.now());
        samples.push({ at: asked, until: Date.now(), done: counting.progress.done });
      }
      assert.equal(taskOf(run.tasks, 'quietWait')?.progress ?? null, null, 'a task that reports nothing has none');
      return samples.length >= 8 || run.status !== 'running';
    }, 30_000, 'eight readings of the running task');
    assert.ok(new Set(samples.map((s) => s.done)).size >= 4, `it advanced: ${samples.map((s) => s.done).join(', ')}`);

    await client.waitForResult(ref);
    assertFollowsLog(samples, await stepTimes(store, ref.runId, 'countSteps'), 'GET /api/runs/{workflowId}');
    const closed = (await (await app.fetch(`/api/runs/${encodeURIComponent(ref.workflowId)}`, { as: 'viewer' })).json()) as { tasks: TaskRun[] };
    assert.equal(taskOf(closed.tasks, 'countSteps')?.progress, null);
  });

  test("the run page's progress feed answers for the listed tasks and refuses a bad query by name", async () => {
    const ref = await start(1, 10);
    await client.waitForResult(ref);
    const feed = (query: string) => app.fetch(`/api/ui/runs/${encodeURIComponent(ref.workflowId)}/${encodeURIComponent(ref.runId)}/progress?${query}`, { as: 'viewer' });
    const countingId = taskOf((await client.getRun(ref.workflowId))!.tasks, 'countSteps')!.activityId;

    const ok = await feed(`activityIds=${countingId},99`);
    assert.equal(ok.status, 200);
    const { progress } = (await ok.json()) as { progress: Record<string, { done: number; total: number; message: string }> };
    assert.deepEqual(Object.keys(progress), [countingId], 'only tasks that reported');
    assert.deepEqual([progress[countingId].done, progress[countingId].total, progress[countingId].message], [1, 1, 'step 1 of 1']);

    for (const [query, message] of [
      ['', /activityIds/],
      ['activityIds=1,,2', /must not hold an empty id/],
      [`activityIds=${Array.from({ length: 101 }, (_, i) => i).join(',')}`, /at most 100 ids/],
      ['activityIds=1&activityIds=2', /given more than once/],
      ['activityIds=1&extra=1', /extra/],
    ] as const) {
      const res = await feed(query);
      assert.equal(res.status, 400, query);
      const body = (await res.json()) as { error: { message: string } };
      assert.match(body.error.message, message, query);
    }
    const anonymous = await fetch(new URL(`/api/ui/runs/${encodeURIComponent(ref.workflowId)}/${encodeURIComponent(ref.runId)}/progress?activityIds=1`, app.baseUrl));
    assert.equal(anonymous.status, 401);
  });
});
