/**
 * Figure 5: what an open run page costs while its run runs. A run of 1,000 tasks one after another (100 ms each);
 * once 200 are done its page is opened in Chromium and left open for a minute, refreshing itself every 2 s as
 * it does for a running run. Measured over that minute: the bytes the web app read from Temporal (counted by a
 * TCP proxy between the two: `byte-counter.ts`) and the CPU time of the web app's process. Also the bytes one
 * request of `/runs/{workflowId}` (the redirect to the latest run) reads.
 */
import { loggedInContext } from '../../test/web/harness';
import { treeCpuSeconds } from '../lib/proc';
import { atMost, type Metric } from '../lib/report';
import type { Stack } from './stack';

const TASKS = 1000;
const TASK_MS = 100;
const DONE_BEFORE_OPENING = 200;
const WINDOW_MS = 60_000;
/**
 * KB read from Temporal per minute by this figure when the page read the run's whole history on each refresh
 * (commit c8c67df, where this figure was added; median of 10,711 and 9,272, load average 9–15): the target is a
 * tenth of it.
 */
const BEFORE_KB_PER_MINUTE = 9_992;

export async function benchRunPageReads(stack: Stack, say: (l: string) => void): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  const ref = await stack.client.start('webBenchLong', { tasks: TASKS, taskMs: TASK_MS }, { startedBy: 'client:bench-web' });
  const path = `/runs/${encodeURIComponent(ref.workflowId)}/${encodeURIComponent(ref.runId)}`;
  say(`  run page reads: a run of ${TASKS} tasks of ${TASK_MS} ms; waiting for ${DONE_BEFORE_OPENING} of them`);
  const progress = async () => {
    const run = (await stack.client.getRun(ref.workflowId, ref.runId))!;
    return { status: run.status, done: run.tasks.filter((t) => t.status === 'completed').length, events: run.historyLength };
  };
  for (let p = await progress(); p.done < DONE_BEFORE_OPENING; p = await progress()) {
    if (p.status !== 'running') throw new Error(`${ref.workflowId} ended (${p.status}) after ${p.done} tasks`);
    await new Promise((r) => setTimeout(r, 1000));
  }

  const cookie = await stack.app.cookie('viewer');
  const beforeRedirect = stack.appToTemporal.fromTemporal;
  const redirect = await fetch(`${stack.app.baseUrl}/runs/${encodeURIComponent(ref.workflowId)}`, { headers: { cookie }, redirect: 'manual' });
  await redirect.arrayBuffer();
  const redirectBytes = stack.appToTemporal.fromTemporal - beforeRedirect;

  const context = await loggedInContext(stack.browser, stack.app, 'viewer');
  const page = await context.newPage();
  let refreshes = 0;
  page.on('request', (r) => {
    if (r.headers()['rsc'] === '1' && new URL(r.url()).pathname === path) refreshes++;
  });
  await page.goto(new URL(path, stack.app.baseUrl).toString());
  await page.locator('[data-testid="task-timeline"]').waitFor({ timeout: 60_000 });
  const atOpen = await progress();
  say(`  run page reads: page open at ${atOpen.done} tasks done (${atOpen.events} events); measuring for ${WINDOW_MS / 1000} s`);
  const bytes0 = stack.appToTemporal.fromTemporal;
  const sent0 = stack.appToTemporal.toTemporal;
  const cpu0 = treeCpuSeconds(stack.app.pid);
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, WINDOW_MS));
  const minutes = (Date.now() - t0) / 60_000;
  const kbPerMinute = (stack.appToTemporal.fromTemporal - bytes0) / 1024 / minutes;
  const sentKbPerMinute = (stack.appToTemporal.toTemporal - sent0) / 1024 / minutes;
  const cpuPerMinute = (treeCpuSeconds(stack.app.pid) - cpu0) / minutes;
  const atEnd = await progress();
  await context.close();
  await stack.client.cancelRun(ref);
  if (atEnd.status !== 'running') say(`  run page reads: WARNING the run ended (${atEnd.status}) within the window; the page stopped refreshing`);
  say(`  run page reads: ${kbPerMinute.toFixed(0)} KB/min from Temporal, ${cpuPerMinute.toFixed(2)} CPU s/min, ${refreshes} refreshes, ${atOpen.events}→${atEnd.events} events`);
  return {
    metrics: [
      {
        name: `run page open on a running ${TASKS}-task run: read from Temporal`,
        value: Math.round(kbPerMinute),
        unit: 'KB/min',
        ...atMost(Math.round(kbPerMinute), Math.round(BEFORE_KB_PER_MINUTE / 10)),
      },
      { name: `run page open on a running ${TASKS}-task run: web app CPU`, value: Number(cpuPerMinute.toFixed(2)), unit: 's/min', target: '' },
      { name: 'run page refreshes in that minute', value: refreshes, unit: '', target: '' },
      { name: `/runs/{workflowId} redirect (${atOpen.events}-event run): read from Temporal`, value: Math.round(redirectBytes / 1024), unit: 'KB', target: '' },
    ],
    details: { run: ref, tasks: TASKS, taskMs: TASK_MS, windowMs: WINDOW_MS, atOpen, atEnd, kbPerMinute, sentKbPerMinute, cpuPerMinute, refreshes, redirectBytes },
  };
}
