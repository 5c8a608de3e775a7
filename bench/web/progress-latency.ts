/**
 * Figure 5: how far behind a task the run page's progress is. A task reports progress every 100 ms for 20 s and
 * returns when it made each report; meanwhile three readers note when each value is first readable:
 * - the run page's own read: `GET /api/ui/runs/{workflowId}/{runId}/progress` (the store, written with the log lines),
 *   asked back to back by the bench as a viewer;
 * - the bar on the open run page (`<progress>` in the task's row), sampled every 10 ms in Chromium;
 * - the baseline, what the page read before: Temporal's heartbeat details of the pending task (DescribeWorkflowExecution),
 *   asked back to back too.
 * The lag of report i is when a value of i or more was first seen, less when the task made report i (a value
 * overtaken before it was written is covered by the next one). Task, bench and browser share this machine's clock.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { firstPayload } from '../../sdk/src/client/run-history';
import { loggedInContext } from '../../test/web/harness';
import { atMost, type Metric } from '../lib/report';
import { preparePage } from './page-probes';
import { spread } from './percentiles';
import type { Stack } from './stack';

const COUNT = 200;
const EVERY_MS = 100;
const TASK = 'webBenchProgress';

type FirstSeen = Map<number, number>;

/** Calls `read` back to back (a pause of `gapMs` between) until `until` resolves; notes when each value is first seen. */
async function watch(read: () => Promise<number | undefined>, until: Promise<unknown>, gapMs: number): Promise<FirstSeen> {
  const seen: FirstSeen = new Map();
  let done = false;
  until.finally(() => (done = true)).catch(() => {});
  while (!done) {
    const value = await read().catch(() => undefined);
    const at = Date.now();
    if (value !== undefined && !seen.has(value)) seen.set(value, at);
    await new Promise((r) => setTimeout(r, gapMs));
  }
  return seen;
}

/**
 * Lag of each report in ms, and how many were never seen while the task ran: for those, the lag counted is the
 * time from the report to the task's end, a lower bound (Temporal's throttled heartbeats may carry no report at all
 * for tens of seconds).
 */
function lags(reportedAt: number[], seen: FirstSeen, endAt: number): { lags: number[]; unseen: number } {
  const byValue = [...seen].sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  let unseen = 0;
  for (let i = 1; i < reportedAt.length; i++) {
    let first = Infinity;
    for (const [value, at] of byValue) if (value >= i && at < first) first = at;
    if (first === Infinity) unseen++;
    out.push(Math.max(0, Math.min(first, endAt) - reportedAt[i]));
  }
  return { lags: out, unseen };
}

export async function benchProgressLatency(stack: Stack, say: (l: string) => void): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  const goFile = path.join(stack.tmpDir, `progress-go-${Date.now()}`);
  const ref = await stack.client.start('webBenchProgressing', { goFile, count: COUNT, everyMs: EVERY_MS }, { startedBy: 'client:bench-web' });
  const activityId = await waitForTask(stack, ref.workflowId);

  const context = await loggedInContext(stack.browser, stack.app, 'viewer');
  const page = await context.newPage();
  let pagePolls = 0;
  page.on('request', (r) => void (r.url().includes('/progress?') && pagePolls++));
  await preparePage(page);
  await page.goto(new URL(`/runs/${encodeURIComponent(ref.workflowId)}/${encodeURIComponent(ref.runId)}`, stack.app.baseUrl).toString());
  await page.locator(`[data-task="${TASK}"]`).waitFor({ timeout: 60_000 });
  await page.evaluate((task) => {
    const w = window as unknown as { __benchProgress: Record<number, number> };
    w.__benchProgress = {};
    const sample = () => {
      const el = document.querySelector<HTMLProgressElement>(`[data-task="${task}"] progress`);
      if (el && el.hasAttribute('value') && !(el.value in w.__benchProgress)) w.__benchProgress[el.value] = Date.now();
    };
    setInterval(sample, 10);
  }, TASK);
  say(`  progress latency: page open; a task reports progress every ${EVERY_MS} ms, ${COUNT} times`);

  const feedPath = `/api/ui/runs/${encodeURIComponent(ref.workflowId)}/${encodeURIComponent(ref.runId)}/progress?activityIds=${encodeURIComponent(activityId)}`;
  const cookie = await stack.app.cookie('viewer');
  const handle = stack.client.temporal.workflow.getHandle(ref.workflowId, ref.runId);
  const goAt = Date.now();
  writeFileSync(goFile, String(goAt));
  const result = stack.client.waitForResult(ref) as Promise<number[]>;
  const [reportedAt, viaFeed, viaHeartbeat] = await Promise.all([
    result,
    watch(async () => {
      const res = await fetch(new URL(feedPath, stack.app.baseUrl), { headers: { cookie } });
      const body = (await res.json()) as { progress: Record<string, { done: number }> };
      return body.progress[activityId]?.done;
    }, result, 20),
    watch(async () => {
      const { raw } = await handle.describe();
      const details = firstPayload(raw.pendingActivities?.find((p) => p.activityId === activityId)?.heartbeatDetails) as { done?: number } | undefined;
      return details?.done;
    }, result, 20),
  ]);
  const onPage = new Map(Object.entries(await page.evaluate(() => (window as unknown as { __benchProgress: Record<number, number> }).__benchProgress)).map(([v, at]) => [Number(v), at]));
  await context.close();

  const endAt = Date.now();
  const [feed, bar, heartbeat] = [viaFeed, onPage, viaHeartbeat].map((seen) => lags(reportedAt, seen, endAt));
  const [feedLag, pageLag, heartbeatLag] = [feed, bar, heartbeat].map((l) => spread(l.lags));
  const unseen = { feed: feed.unseen, page: bar.unseen, heartbeat: heartbeat.unseen };
  say(`  progress latency: reports never seen while the task ran, of ${COUNT}: ${JSON.stringify(unseen)}`);
  say(`  progress latency: the page polled its progress ${pagePolls} times in ${((endAt - goAt) / 1000).toFixed(0)} s`);
  say(`  progress latency: the page's read p95 ${feedLag.p95} ms, the bar p95 ${pageLag.p95} ms, Temporal's heartbeat p95 ${heartbeatLag.p95} ms`);
  return {
    metrics: [
      { name: "progress() → readable through the run page's read: p95", value: feedLag.p95, unit: 'ms', ...atMost(feedLag.p95, 1000) },
      { name: "progress() → readable through the run page's read: p50", value: feedLag.p50, unit: 'ms', target: '' },
      { name: 'progress() → on the open run page (the bar): p95', value: pageLag.p95, unit: 'ms', ...atMost(pageLag.p95, 1000) },
      { name: `progress() → Temporal's heartbeat details (the page's read before): p95${heartbeat.unseen ? ' (at least)' : ''}`, value: heartbeatLag.p95, unit: 'ms', target: 'baseline' },
      { name: "progress lag p95: the page's read / heartbeat details", value: Number((feedLag.p95 / Math.max(heartbeatLag.p95, 1)).toFixed(3)), unit: '', ...atMost(feedLag.p95 / Math.max(heartbeatLag.p95, 1), 1) },
    ],
    details: { run: ref, count: COUNT, everyMs: EVERY_MS, feedLagMs: feedLag, pageLagMs: pageLag, heartbeatLagMs: heartbeatLag, valuesSeen: { feed: viaFeed.size, page: onPage.size, heartbeat: viaHeartbeat.size }, unseen, pagePolls },
  };
}

/** The activity id of the run's progress task once it runs (waiting for the go file). */
async function waitForTask(stack: Stack, workflowId: string): Promise<string> {
  const deadline = Date.now() + 2 * 60_000;
  for (;;) {
    const task = (await stack.client.getRun(workflowId))?.tasks.find((t) => t.task === TASK && t.status === 'running');
    if (task) return task.activityId;
    if (Date.now() > deadline) throw new Error(`progress latency: ${TASK} of ${workflowId} is not running after 2 minutes. Worker output:\n${stack.worker.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
