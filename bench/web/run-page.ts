/**
 * Figure 2: the run page of a run with a 500-task history and 100,000 log lines. Its server time (as a viewer
 * opens it), then, in Chromium, the longest long task on the main thread while its stream task writes
 * 2,000 lines a second for 20 s and the page follows them live.
 */
import { atMost, type Metric } from '../lib/report';
import { samplePage } from './http-timing';
import { spread } from './percentiles';
import type { Stack } from './stack';
import { openRunPage, startStreamingRun, streamAndWatch, waitUntilStreamTaskWaits } from './streaming-run';

const TASKS = 500;
const PRELOADED_LINES = 100_000;
const RATE = 2000;
const SECONDS = 20;

export async function benchRunPage(stack: Stack, say: (l: string) => void): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  say(`  run page: starting a run of ${TASKS} tasks; writing ${PRELOADED_LINES.toLocaleString('en')} log lines for it`);
  const run = await startStreamingRun(stack, { tasks: TASKS, rate: RATE, seconds: SECONDS });
  // Lines written straight into the store (as the worker would, in 10,000-line batches): the page reads them
  // the same way, and writing 100,000 through a task would only make the bench slower.
  const t0 = Date.now();
  for (let start = 0; start < PRELOADED_LINES; start += 10_000) {
    await stack.store.insertLogs(
      Array.from({ length: 10_000 }, (_, k) => ({
        time: t0 - PRELOADED_LINES + start + k,
        level: 'info' as const,
        message: `bulk line ${start + k}: rainfall ${(k % 97) * 0.1} mm at station DeBilt`,
        fields: { row: start + k },
        workflowId: run.ref.workflowId,
        runId: run.ref.runId,
        flow: 'webBenchStreaming',
        task: 'bulk',
        attempt: 1,
      })),
    );
  }
  await waitUntilStreamTaskWaits(stack, run, TASKS);
  say(`  run page: ${TASKS} tasks done, ${PRELOADED_LINES.toLocaleString('en')} lines stored; timing ${run.path}`);

  const cookie = await stack.app.cookie('viewer');
  const timings = await samplePage(`${stack.app.baseUrl}${run.path}`, cookie, {
    warmup: 3,
    samples: 20,
    check: (body) => body.includes('data-testid="task-timeline"') && (body.match(/data-task="/g) ?? []).length >= 100,
  });
  say(`  run page: TTFB p50 ${timings.ttfb.p50} ms, whole page p50 ${timings.total.p50} ms, ${timings.bytes.p50} bytes`);

  say(`  run page: opening it in Chromium, then streaming ${RATE} lines/s for ${SECONDS} s`);
  const open = await openRunPage(stack, run);
  await open.page.getByText(`bulk line ${PRELOADED_LINES - 1}:`).waitFor({ timeout: 30_000 });
  const shownAt = Date.now();
  await new Promise((r) => setTimeout(r, 3000)); // let the page settle: load and stream are reported apart
  const watch = await streamAndWatch(stack, open, run);
  await open.context.close();

  const longest = Math.max(0, ...watch.streamLongTasks.map((t) => t.duration));
  const longestAtLoad = Math.max(0, ...watch.loadLongTasks.map((t) => t.duration));
  // Total blocking time: the part of each long task beyond 50 ms, summed (the Web Vitals definition).
  const blocking = watch.streamLongTasks.reduce((sum, t) => sum + Math.max(0, t.duration - 50), 0);
  const latencies = watch.seen.map((s) => s.seenAt - s.writtenAt);
  const latency = latencies.length ? spread(latencies) : null;
  say(`  run page: longest long task while streaming ${longest.toFixed(0)} ms (${watch.streamLongTasks.length} long tasks); at load ${longestAtLoad.toFixed(0)} ms`);
  return {
    metrics: [
      { name: 'run page (500 tasks, 100k lines): TTFB p50', value: timings.ttfb.p50, unit: 'ms', ...atMost(timings.ttfb.p50, 500) },
      { name: 'run page (500 tasks, 100k lines): whole page p50', value: timings.total.p50, unit: 'ms', ...atMost(timings.total.p50, 500) },
      { name: `run page, ${RATE} lines/s streaming: longest long task`, value: Math.round(longest), unit: 'ms', ...atMost(Math.round(longest), 200) },
      { name: `run page, ${RATE} lines/s streaming: long tasks (> 50 ms)`, value: watch.streamLongTasks.length, unit: '', target: '' },
      { name: 'run page, opening in Chromium: longest long task', value: Math.round(longestAtLoad), unit: 'ms', target: '' },
    ],
    details: {
      run: run.ref,
      tasks: TASKS,
      preloadedLines: PRELOADED_LINES,
      stream: { rate: RATE, seconds: SECONDS, written: watch.written, lastLineSeen: watch.lastLineSeen, streamMs: watch.endAt - watch.goAt },
      serverTimings: timings,
      browser: {
        pageToNewestLineMs: shownAt - open.openedAt,
        longTasksWhileStreaming: watch.streamLongTasks.map((t) => ({ atMs: Math.round(t.start - watch.goAt), durationMs: Math.round(t.duration) })),
        longTasksAtLoad: watch.loadLongTasks.map((t) => ({ atMs: Math.round(t.start - open.openedAt), durationMs: Math.round(t.duration) })),
        totalBlockingTimeWhileStreamingMs: Math.round(blocking),
        // Only the rows in view are drawn (the viewer is virtualised), so most lines of a fast stream are never
        // in the DOM; the ones that are show how far behind the page follows.
        linesSeenInDom: watch.seen.length,
        latencyOfLinesSeenMs: latency,
        pageErrors: open.errors,
      },
    },
  };
}
