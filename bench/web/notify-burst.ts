/**
 * The web app's pages while its notifier digests a burst. The runs page is timed idle (after 100 finished runs,
 * so it shows a full table); then over and over during 2,000 runs that fail at once (a flow that throws at once,
 * started 48 at a time) and that no rule tells anyone about — Temporal and the worker busy, the notifier idle;
 * then during 2,000 more that an admin rule sends to the stack's webhook receiver, from the first start until
 * the message has arrived. The figures: each burst's p95 (whole page) against idle, and the told burst's
 * against the untold one (what the notifier's own work costs the pages).
 */
import { addAdminRule } from 'sluice/internal/notify';
import { atMost, type Metric } from '../lib/report';
import { samplePage, timedGet } from './http-timing';
import { spread, type Spread } from './percentiles';
import { startRuns } from './runs-list';
import type { Stack } from './stack';

const RUNS = 2_000;

async function until(what: string, check: () => Promise<boolean> | boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`notify burst: ${what} did not happen within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Times `url` over and over while `flow`'s runs start, until `done()`; also how long the starts took. */
async function duringBurst(stack: Stack, flow: string, url: string, cookie: string, done: () => Promise<boolean> | boolean): Promise<{ page: Spread; startedMs: number; doneMs: number }> {
  const t0 = Date.now();
  let startedMs = 0;
  const starting = startRuns(stack, RUNS, flow).then(() => (startedMs = Date.now() - t0));
  const times: number[] = [];
  while (!(await done())) {
    if (Date.now() - t0 > 15 * 60_000) throw new Error(`notify burst: ${flow} not done within 15 minutes; web app output:\n${stack.app.output().slice(-2000)}`);
    const t = await timedGet(url, cookie);
    if (t.status !== 200) throw new Error(`GET ${url} answered ${t.status} during the burst`);
    times.push(t.totalMs);
  }
  await starting;
  return { page: spread(times), startedMs, doneMs: Date.now() - t0 };
}

const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

export async function benchNotifyBurst(stack: Stack, say: (l: string) => void): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  await addAdminRule(stack.store.db, { flow: 'webBenchFail', deployment: null, events: ['failed'], channels: ['bench-hooks'], longerThanMs: null, lateAfterMs: null, createdBy: 'bench' });
  say('  notify burst: 100 finished runs, so the runs page has a full table');
  await startRuns(stack, 100);
  await until('100 finished runs', async () => ((await stack.client.countRuns({ flow: 'webBenchNoop' })).byStatus.completed ?? 0) >= 100, 120_000);

  const url = `${stack.app.baseUrl}/runs`;
  const cookie = await stack.app.cookie('viewer');
  const idle = await samplePage(url, cookie, { warmup: 3, samples: 40, check: (b) => b.includes('data-testid="runs-table"') });
  say(`  notify burst: idle /runs whole page p50 ${idle.total.p50} ms, p95 ${idle.total.p95} ms`);

  say(`  notify burst: ${RUNS} failing runs no rule tells about; timing /runs until all have failed`);
  const failed = async (flow: string) => ((await stack.client.countRuns({ flow })).byStatus.failed ?? 0) >= RUNS;
  const untold = await duringBurst(stack, 'webBenchFailUntold', url, cookie, () => failed('webBenchFailUntold'));
  say(`  notify burst: untold: started in ${(untold.startedMs / 1000).toFixed(0)} s, all failed after ${(untold.doneMs / 1000).toFixed(0)} s; /runs p50 ${untold.page.p50} ms, p95 ${untold.page.p95} ms (${untold.page.n} requests)`);

  say(`  notify burst: ${RUNS} failing runs a rule tells about; timing /runs until the notifier's message arrives`);
  const told = () => stack.hooks.filter((h) => /webBenchFail\b/.test(h.subject)).reduce((n, h) => n + h.events, 0);
  const burst = await duringBurst(stack, 'webBenchFail', url, cookie, () => told() >= RUNS);
  const messages = stack.hooks.filter((h) => /webBenchFail\b/.test(h.subject));
  say(`  notify burst: told: started in ${(burst.startedMs / 1000).toFixed(0)} s, ${messages.length} message(s) after ${(burst.doneMs / 1000).toFixed(0)} s; /runs p50 ${burst.page.p50} ms, p95 ${burst.page.p95} ms (${burst.page.n} requests)`);
  const vsIdle = ratio(burst.page.p95, idle.total.p95);
  return {
    metrics: [
      { name: 'runs page during a told 2,000-failure burst: p95 / idle p95', value: vsIdle, unit: '', ...atMost(vsIdle, 2) },
      { name: 'the same burst untold (notifier idle): p95 / idle p95', value: ratio(untold.page.p95, idle.total.p95), unit: '', target: '' },
      { name: 'told burst p95 / untold burst p95 (the notifier\'s share)', value: ratio(burst.page.p95, untold.page.p95), unit: '', target: '' },
      { name: 'runs page idle: whole page p95', value: idle.total.p95, unit: 'ms', target: '' },
      { name: 'runs page during the told burst: whole page p95', value: burst.page.p95, unit: 'ms', target: '' },
      { name: 'told burst: first start → message out', value: Math.round(burst.doneMs / 1000), unit: 's', target: '' },
      { name: 'told burst: messages for the 2,000 failures', value: messages.length, unit: '', ...atMost(messages.length, 1) },
    ],
    details: { idle, untold, burst, messages },
  };
}
