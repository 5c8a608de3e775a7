/**
 * Log throughput: one task writes 100,000 lines through `log.info` on Sluice's worker. Measured:
 * - lines/s into the store: from the task's start until `countLogs(runId)` sees all of them;
 * - what logging costs the task itself: its loop's duration against the same loop that builds the same
 *   messages and fields but does not log (bench/projects/logs/log-tasks.ts).
 * On SQLite, and on PostgreSQL when its server binaries are installed.
 */
import { Client } from '@temporalio/client';
import { connect } from 'sluice/internal/temporal';
import { startPostgres, type Postgres } from '../scripts/postgres';
import { openStore, type Store } from 'sluice/internal/store';
import { freshSqliteUrl, uniqueName, type BenchContext } from './lib/context';
import { atLeast, atMost, type BenchResult, type Metric } from './lib/report';
import { summary } from './lib/stats';
import { ROOT, startSluiceWorker } from './lib/worker-process';
import type { LoopResult } from './projects/logs/log-tasks';

const LINES = 100_000;
const DEFAULT_REPS = 3;
const TARGET_LINES_PER_S = 20_000;
const TARGET_SLOWDOWN = 1.1;
const POLL_MS = 20;
const STORE_TIMEOUT_MS = 120_000;

interface StoreRun {
  linesPerS: number;
  storedMs: number;
  logLoopMs: number;
  plainLoopMs: number;
}

/**
 * Runs logLinesFlow (n lines) on `taskQueue` and waits until the store holds every line: from the task's start
 * (its own clock, same machine) until then, polled from here. Also the loop's own duration inside the task.
 */
export async function measureStoredLines(
  client: Client,
  store: Store,
  taskQueue: string,
  n: number,
  label: string,
  output: () => string,
): Promise<{ storedMs: number; loopMs: number }> {
  const handle = await client.workflow.start('logLinesFlow', { taskQueue, workflowId: uniqueName('bench-logLinesFlow'), args: [{ n }] });
  const runId = handle.firstExecutionRunId;
  const deadline = Date.now() + STORE_TIMEOUT_MS;
  let count = 0;
  while ((count = await store.countLogs(runId)) < n) {
    if (Date.now() > deadline) throw new Error(`${label}: only ${count} of ${n} lines in the store after ${STORE_TIMEOUT_MS / 1000} s.\nWorker output:\n${output()}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const storedAt = Date.now();
  const result = (await handle.result()) as LoopResult;
  if (count !== n) throw new Error(`${label}: ${count} lines stored for a run that wrote ${n}`);
  return { storedMs: storedAt - result.startedAt, loopMs: result.loopMs };
}

async function benchOneStore(ctx: BenchContext, client: Client, label: string, storeUrl: string, reps: number) {
  const taskQueue = uniqueName(`bench-logs-${label}`);
  const worker = await startSluiceWorker({
    address: ctx.address,
    taskQueue,
    storeUrl,
    workflows: `${ROOT}/bench/projects/logs/log-flows.ts`,
    activities: `${ROOT}/bench/projects/logs/log-tasks.ts`,
  });
  const store = await openStore(storeUrl, { migrate: true });
  const run = (flow: string, n: number) =>
    client.workflow.start(flow, { taskQueue, workflowId: uniqueName(`bench-${flow}`), args: [{ n }] });

  const storeLines = (n: number) => measureStoredLines(client, store, taskQueue, n, label, worker.output);
  const plainLoop = async (n: number): Promise<number> => ((await (await run('buildLinesFlow', n)).result()) as LoopResult).loopMs;

  const runs: StoreRun[] = [];
  try {
    // Warm-up, full size: the first 100,000 lines also pay for JIT and for growing the worker's heap.
    await storeLines(LINES);
    await plainLoop(LINES);
    for (let rep = 0; rep < reps; rep++) {
      // Alternate which loop goes first, so neither always runs right after the other's garbage.
      let plainLoopMs = rep % 2 ? await plainLoop(LINES) : NaN;
      const { storedMs, loopMs } = await storeLines(LINES);
      if (!(rep % 2)) plainLoopMs = await plainLoop(LINES);
      const r = { linesPerS: Math.round((LINES / storedMs) * 1000), storedMs, logLoopMs: loopMs, plainLoopMs };
      runs.push(r);
      ctx.say(`logs (${label}): ${rep + 1}/${reps}: ${r.linesPerS} lines/s (stored in ${storedMs} ms), loop ${loopMs.toFixed(0)} ms with log vs ${plainLoopMs.toFixed(0)} ms without`);
    }
  } finally {
    await store.close();
    await worker.stop();
  }
  const stats = {
    linesPerS: summary(runs.map((r) => r.linesPerS), 0),
    storedMs: summary(runs.map((r) => r.storedMs), 0),
    logLoopMs: summary(runs.map((r) => r.logLoopMs)),
    plainLoopMs: summary(runs.map((r) => r.plainLoopMs)),
  };
  const slowdown = Number((stats.logLoopMs.median / stats.plainLoopMs.median).toFixed(2));
  const perLineUs = Number((((stats.logLoopMs.median - stats.plainLoopMs.median) * 1000) / LINES).toFixed(2));
  const metrics: Metric[] = [
    { name: `log lines into ${label}, median`, value: stats.linesPerS.median, unit: 'lines/s', ...atLeast(stats.linesPerS.median, TARGET_LINES_PER_S) },
    { name: `task loop with log.info (${label}), median`, value: stats.logLoopMs.median, unit: 'ms', target: '' },
    { name: `same loop without logging (${label}), median`, value: stats.plainLoopMs.median, unit: 'ms', target: '' },
    { name: `task slowed by logging (${label}): with/without`, value: slowdown, unit: '', ...atMost(slowdown, TARGET_SLOWDOWN) },
    { name: `cost of one log.info in the task (${label})`, value: perLineUs, unit: 'µs', target: '' },
  ];
  return { metrics, details: { ...stats, slowdown, perLineUs, runs } };
}

export async function benchLogThroughput(ctx: BenchContext): Promise<BenchResult> {
  const reps = ctx.reps ?? DEFAULT_REPS;
  const connection = await connect({ address: ctx.address });
  const client = new Client({ connection, namespace: 'default' });
  const metrics: Metric[] = [];
  const details: Record<string, unknown> = { lines: LINES, reps };
  try {
    const sqlite = await benchOneStore(ctx, client, 'SQLite', freshSqliteUrl(ctx, 'logs'), reps);
    metrics.push(...sqlite.metrics);
    details.sqlite = sqlite.details;

    let pg: Postgres | undefined;
    try {
      pg = await startPostgres();
    } catch (err) {
      ctx.say(`logs: PostgreSQL skipped: ${(err as Error).message}`);
      details.postgres = { skipped: (err as Error).message };
    }
    if (pg) {
      try {
        const postgres = await benchOneStore(ctx, client, 'PostgreSQL', pg.url, reps);
        metrics.push(...postgres.metrics);
        details.postgres = postgres.details;
      } finally {
        await pg.stop();
      }
    }
  } finally {
    await connection.close();
  }
  return { name: 'logs', metrics, details };
}
