/**
 * For the progress tests. Whether what a page or the API showed of a task's progress kept up with the task: the fixture tasks log
 * `step i of n` (field `step`) and report step i as their progress at the same moment, so each value seen can be
 * checked against when the task logged that step. Browser, worker and test share this machine's clock.
 */
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RunRef } from 'sluice/client';
import type { Store } from 'sluice/internal/store';
import { loggedInContext, type WebApp } from '../web/harness';

/**
 * How far behind the task the run page and the API may be, at any sample. The target (1 s at p95) is measured by
 * `npm run bench:web -- progress-latency`; a test on 2 cores shared with another test file holds each sample to
 * 5 s instead, which the heartbeat path it replaced (10–20 s behind, bench baseline) still fails, and a moment of
 * load does not.
 */
export const PROGRESS_LAG_MS = 5000;

/** When `task` logged each step of the run (epoch ms, by step), read from the store. */
export async function stepTimes(store: Store, runId: string, task: string): Promise<Map<number, number>> {
  const lines = await store.readLogs({ runId, task, limit: 5000 });
  return new Map(lines.flatMap((l) => (typeof l.fields?.step === 'number' ? [[l.fields.step, l.time] as const] : [])));
}

/** The last step logged by `time`. */
function stepAt(steps: Map<number, number>, time: number): number {
  let last = 0;
  for (const [step, at] of steps) if (at <= time && step > last) last = step;
  return last;
}

/**
 * Each sample (a value seen at `at`; for a request, asked at `at` and answered at `until`) against the task's log:
 * at least the step logged PROGRESS_LAG_MS before it was asked (not lagging more), at most the step logged by the
 * time it was answered (the value is the task's, not made up; 50 ms of slack for two processes' readings of one clock).
 */
export function assertFollowsLog(samples: { at: number; until?: number; done: number }[], steps: Map<number, number>, where: string): void {
  assert.ok(steps.size > 0, 'the task logged its steps');
  for (const { at, until = at, done } of samples) {
    const due = stepAt(steps, at - PROGRESS_LAG_MS);
    assert.ok(done >= due, `${where} showed step ${done} at ${new Date(at).toISOString()}, but the task had logged step ${due} more than ${PROGRESS_LAG_MS} ms before`);
    assert.ok(done <= stepAt(steps, until + 50), `${where} showed step ${done} at ${new Date(until).toISOString()}, before the task logged it`);
  }
}

/**
 * Opens the run's page as a viewer (any uncaught error in the page fails the test), waits for `task`'s progress
 * bar, which must count to `total`, and for the page's first live reading of it.
 */
export async function openProgressBar(browser: Browser, app: WebApp, ref: RunRef, task: string, total: number): Promise<{ context: BrowserContext; page: Page }> {
  const context = await loggedInContext(browser, app, 'viewer');
  const page = await context.newPage();
  page.on('pageerror', (err) => assert.fail(`uncaught error in the page: ${err.message}`));
  await page.goto(new URL(`/runs/${encodeURIComponent(ref.workflowId)}/${encodeURIComponent(ref.runId)}`, app.baseUrl).toString());
  const bar = page.getByRole('progressbar', { name: `Progress of ${task}` });
  await bar.waitFor({ timeout: 20_000 });
  assert.equal(await bar.getAttribute('max'), String(total));
  // Live from the page's first answer on: the value the server rendered is as old as the page's load.
  await page.waitForResponse((r) => r.url().includes('/progress?') && r.ok(), { timeout: 10_000 });
  return { context, page };
}
