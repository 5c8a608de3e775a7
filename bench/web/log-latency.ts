/**
 * Figure 4: how long a line a task writes takes to appear on an open run page. A task writes 10 lines a
 * second for 30 s, each carrying the moment it was written; the page's DOM is watched for each line.
 * At this rate every line is drawn (the box shows the newest ~25 rows), so every line is a sample.
 */
import { atMost, type Metric } from '../lib/report';
import { spread } from './percentiles';
import type { Stack } from './stack';
import { openRunPage, startStreamingRun, streamAndWatch, waitUntilStreamTaskWaits } from './streaming-run';

const RATE = 10;
const SECONDS = 30;

function missingLines(seen: number[], written: number): number[] {
  const have = new Set(seen);
  return Array.from({ length: written }, (_, seq) => seq).filter((seq) => !have.has(seq));
}

export async function benchLogLatency(stack: Stack, say: (l: string) => void): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  const run = await startStreamingRun(stack, { tasks: 0, rate: RATE, seconds: SECONDS });
  await waitUntilStreamTaskWaits(stack, run, 0);
  const open = await openRunPage(stack, run);
  say(`  log latency: page open; a task writes ${RATE} lines/s for ${SECONDS} s`);
  const watch = await streamAndWatch(stack, open, run);
  await open.context.close();
  if (watch.seen.length === 0) throw new Error(`log latency: none of the ${watch.written} lines appeared on ${run.path}; page errors: ${open.errors.join('; ') || 'none'}`);
  const latencies = watch.seen.map((s) => s.seenAt - s.writtenAt);
  const s = spread(latencies);
  say(`  log latency: p50 ${s.p50} ms, p95 ${s.p95} ms over ${s.n} of ${watch.written} lines`);
  return {
    metrics: [
      { name: 'log line written → on the open run page: p95', value: s.p95, unit: 'ms', ...atMost(s.p95, 2000) },
      { name: 'log line written → on the open run page: p50', value: s.p50, unit: 'ms', target: '' },
      { name: 'log lines seen on the page / written', value: Number((watch.seen.length / watch.written).toFixed(3)), unit: '', target: '1' , pass: watch.seen.length === watch.written },
    ],
    details: {
      run: run.ref,
      rate: RATE,
      seconds: SECONDS,
      written: watch.written,
      lastLineSeen: watch.lastLineSeen,
      latencyMs: s,
      // The numbers of lines never seen in the DOM (at most 50): they say where a gap is.
      missing: missingLines(watch.seen.map((l) => l.seq), watch.written).slice(0, 50),
      pageErrors: open.errors,
      samplesMs: latencies,
    },
  };
}
