/**
 * The live tail on PostgreSQL with several writers: how long a committed line takes to be readable through
 * `readLogs({ afterId })`, and how fast 100,000 lines go in when four writers write at once.
 * - latency: 4 writers (each its own pool, as separate workers are) write a batch of 20 lines to 2 of 8 runs
 *   every 50 ms for 10 s; one reader tails all 8 runs as the run page does (afterId = the last id it saw),
 *   every 20 ms. A sample is a line's time from being handed to `insertLogs` until the reader has it (so time
 *   a writer spends waiting for another counts), and also from its commit. The reader's lines must equal the
 *   table's at the end (each line once, in id order), else the benchmark fails.
 * - throughput: 100,000 lines, 4 writers × 25 batches of 1,000, all at once; wall time.
 */
import { startPostgres } from '../scripts/postgres';
import { openStore, type Store } from 'sluice/internal/store';
import type { LogRecord } from 'sluice/internal/types';
import type { BenchContext } from './lib/context';
import { atMost, type BenchResult, type Metric } from './lib/report';
import { summary } from './lib/stats';
import { spread } from './web/percentiles';

export const WRITERS = 4;
const RUNS = 8;
const BATCH_EVERY_MS = 50;
const LINES_PER_BATCH = 20;
const WRITE_FOR_MS = 10_000;
const TAIL_EVERY_MS = 20;
const THROUGHPUT_LINES = 100_000;
const THROUGHPUT_BATCH = 1_000;
const DEFAULT_REPS = 3;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const record = (runId: string, message: string): LogRecord => ({ time: Date.now(), level: 'info', message, workflowId: `wf-${runId}`, runId });

export async function tailLatency(writers: Store[], reader: Store, rep: number): Promise<{ fromWrite: number[]; fromCommit: number[] }> {
  const runs = Array.from({ length: RUNS }, (_, i) => `tail-${rep}-${i}`);
  const sentAt = new Map<string, number>();
  const committedAt = new Map<string, number>();
  const seen = new Map<string, string[]>(runs.map((r) => [r, []]));
  const fromWrite: number[] = [];
  const fromCommit: number[] = [];
  let writing = true;
  const write = async (store: Store, w: number) => {
    for (let b = 0; writing; b++) {
      const lines: LogRecord[] = [];
      for (let i = 0; i < LINES_PER_BATCH; i++) lines.push(record(runs[(w * 3 + b + (i % 2)) % RUNS]!, `w${w} b${b} l${i}`));
      const sent = Date.now();
      for (const l of lines) sentAt.set(l.message, sent);
      await store.insertLogs(lines);
      const now = Date.now();
      for (const l of lines) committedAt.set(l.message, now);
      await pause(BATCH_EVERY_MS);
    }
  };
  const cursors = new Map<string, number>();
  const tailOnce = async () => {
    for (const runId of runs) {
      const page = await reader.readLogs({ runId, afterId: cursors.get(runId) ?? 0, limit: 5000 });
      const now = Date.now();
      for (const l of page) {
        seen.get(runId)!.push(l.message);
        fromWrite.push(now - sentAt.get(l.message)!);
        // A line read before its writer's insertLogs returned counts as 0 ms (it was readable at commit).
        const at = committedAt.get(l.message);
        fromCommit.push(at === undefined ? 0 : Math.max(0, now - at));
      }
      if (page.length) cursors.set(runId, page[page.length - 1]!.id);
    }
  };
  const writing$ = Promise.all(writers.map(write));
  const stopAt = Date.now() + WRITE_FOR_MS;
  while (Date.now() < stopAt) {
    await tailOnce();
    await pause(TAIL_EVERY_MS);
  }
  writing = false;
  await writing$;
  await tailOnce();
  for (const runId of runs) {
    const table = (await reader.readLogs({ runId, limit: 5000 })).map((l) => l.message);
    const tail = seen.get(runId)!;
    if (table.length !== tail.length || table.some((m, i) => m !== tail[i])) {
      throw new Error(`log tail: the tail of ${runId} read ${tail.length} lines, the table holds ${table.length}: it skipped or repeated lines`);
    }
  }
  return { fromWrite, fromCommit };
}

export async function throughput(writers: Store[], rep: number): Promise<number> {
  const per = THROUGHPUT_LINES / writers.length / THROUGHPUT_BATCH;
  const t0 = performance.now();
  await Promise.all(
    writers.map(async (store, w) => {
      for (let b = 0; b < per; b++) {
        const runId = `bulk-${rep}-${(w + b) % RUNS}`;
        await store.insertLogs(Array.from({ length: THROUGHPUT_BATCH }, (_, i) => record(runId, `w${w} b${b} l${i}`)));
      }
    }),
  );
  return Math.round((THROUGHPUT_LINES / (performance.now() - t0)) * 1000);
}

export async function benchLogTail(ctx: BenchContext): Promise<BenchResult> {
  const reps = ctx.reps ?? DEFAULT_REPS;
  const pg = await startPostgres();
  const writers: Store[] = [];
  let reader: Store | undefined;
  try {
    for (let i = 0; i < WRITERS; i++) writers.push(await openStore(pg.url));
    reader = await openStore(pg.url);
    await throughput(writers, -1); // warm-up: JIT, the pools' connections, the table's first pages
    const p95s: number[] = [];
    const p50s: number[] = [];
    const commitP95s: number[] = [];
    const rates: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
      const samples = await tailLatency(writers, reader, rep);
      const s = spread(samples.fromWrite);
      const c = spread(samples.fromCommit);
      const rate = await throughput(writers, rep);
      p95s.push(s.p95);
      p50s.push(s.p50);
      commitP95s.push(c.p95);
      rates.push(rate);
      ctx.say(`log tail: ${rep + 1}/${reps}: written → readable p50 ${s.p50} ms, p95 ${s.p95} ms (from commit: p95 ${c.p95} ms) over ${s.n} lines; 100,000 lines by ${WRITERS} writers at ${rate} lines/s`);
    }
    const stats = { p95: summary(p95s, 0), p50: summary(p50s, 0), commitP95: summary(commitP95s, 0), linesPerS: summary(rates, 0) };
    const metrics: Metric[] = [
      { name: `log line written → read by the tail (PostgreSQL, ${WRITERS} writers): p95, median`, value: stats.p95.median, unit: 'ms', ...atMost(stats.p95.median, 250) },
      { name: 'log line written → read by the tail: p50, median', value: stats.p50.median, unit: 'ms', target: '' },
      { name: 'log line committed → read by the tail: p95, median', value: stats.commitP95.median, unit: 'ms', target: '' },
      { name: `100,000 lines by ${WRITERS} concurrent writers (PostgreSQL), median`, value: stats.linesPerS.median, unit: 'lines/s', target: '' },
    ];
    return { name: 'tail', metrics, details: { ...stats, reps, writers: WRITERS, runs: RUNS } };
  } finally {
    for (const s of writers) await s.close();
    await reader?.close();
    await pg.stop();
  }
}
