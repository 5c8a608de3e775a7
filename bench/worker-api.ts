/**
 * The worker API against the direct store (issue 20: a team's worker is a client of Sluice). The same log work
 * on two workers of one run, one writing to the store itself (DATABASE_URL, the owner's credential) and one
 * through the web app's worker API (SLUICE_URL + a worker token: a gzip batch per POST, each run's queue
 * checked with Temporal once), alternating repetitions, so the ratios compare like with like:
 * - throughput: 100,000 lines from one task until the store holds them all (as the `logs` benchmark);
 * - line → readable: a task writes 20 lines a second for 15 s, each carrying its time; this process polls the
 *   store every 10 ms and records when each line became readable.
 * On SQLite, and on PostgreSQL when its server binaries are installed. The web app runs `next start` on the
 * build the tests share.
 */
import { Client, Connection } from '@temporalio/client';
import pg_ from 'pg';
import { openStore, type Store } from 'sluice/internal/store';
import { startPostgres, type Postgres } from '../scripts/postgres';
import { startWebApp } from '../test/web/harness';
import { createApiToken } from '../web/lib/auth/tokens';
import { freshSqliteUrl, uniqueName, type BenchContext } from './lib/context';
import type { BenchResult, Metric } from './lib/report';
import { summary } from './lib/stats';
import { measureStoredLines } from './log-throughput';
import { ROOT, sluiceWorkerEnv, startWorkerProcess, type WorkerProcess } from './lib/worker-process';
import { SLUICE_BIN } from 'sluice/internal/dev';
import { spread } from './web/percentiles';

const LINES = 100_000;
const DEFAULT_REPS = 3;
const RATE = 20;
const SECONDS = 15;
const POLL_MS = 10;

type Mode = 'direct' | 'remote';

async function startWorker(ctx: BenchContext, taskQueue: string, storeUrl: string, remote?: { url: string; token: string }): Promise<WorkerProcess> {
  const env = sluiceWorkerEnv({
    address: ctx.address,
    taskQueue,
    storeUrl,
    workflows: `${ROOT}/bench/projects/logs/log-flows.ts`,
    activities: `${ROOT}/bench/projects/logs/log-tasks.ts`,
  });
  if (remote) {
    // An empty DATABASE_URL counts as unset: the worker's only way to the store is the worker API.
    Object.assign(env, { DATABASE_URL: '', SLUICE_URL: remote.url, SLUICE_WORKER_TOKEN: remote.token });
  }
  return startWorkerProcess({ entry: SLUICE_BIN, args: ['worker'], env, ready: /worker ready/ });
}

/** Milliseconds from each timed line's `at` until this process first read it from the store. */
async function lineLatencies(client: Client, store: Store, taskQueue: string): Promise<number[]> {
  const handle = await client.workflow.start('timedLinesFlow', { taskQueue, workflowId: uniqueName('bench-timed'), args: [{ rate: RATE, seconds: SECONDS }] });
  const runId = handle.firstExecutionRunId;
  const latencies: number[] = [];
  let afterId: number | undefined;
  const deadline = Date.now() + (SECONDS + 60) * 1000;
  while (latencies.length < RATE * SECONDS) {
    if (Date.now() > deadline) throw new Error(`ingest: only ${latencies.length} of ${RATE * SECONDS} timed lines readable after ${SECONDS + 60} s`);
    const lines = await store.readLogs({ runId, afterId, limit: 5000 });
    const now = Date.now();
    for (const l of lines) latencies.push(now - Number((l.fields as { at: number }).at));
    if (lines.length) afterId = lines.at(-1)!.id;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  await handle.result();
  return latencies;
}

/**
 * `storeUrls`: the web app's store (the worker API writes there) and a second one of the same kind on the same
 * server for the direct worker: flow names are unique per store, so two workers publishing the same flows
 * cannot share one.
 */
async function benchOneStore(ctx: BenchContext, client: Client, label: string, storeUrls: Record<Mode, string>, reps: number) {
  const app = await startWebApp({ storeUrl: storeUrls.remote, seed: false });
  const stores: Record<Mode, Store> = { direct: await openStore(storeUrls.direct), remote: await openStore(storeUrls.remote) };
  const queues: Record<Mode, string> = { direct: uniqueName(`bench-direct-${label}`), remote: uniqueName(`bench-remote-${label}`) };
  const { token } = await createApiToken(stores.remote.db, { name: uniqueName('bench-worker'), role: 'worker', taskQueues: [queues.remote], createdBy: null });
  const workers: Partial<Record<Mode, WorkerProcess>> = {};
  const throughput: Record<Mode, number[]> = { direct: [], remote: [] };
  const latency: Record<Mode, number[]> = { direct: [], remote: [] };
  try {
    workers.direct = await startWorker(ctx, queues.direct, storeUrls.direct);
    workers.remote = await startWorker(ctx, queues.remote, storeUrls.remote, { url: app.baseUrl, token });
    const lines = (mode: Mode) => measureStoredLines(client, stores[mode], queues[mode], LINES, `${label} ${mode}`, workers[mode]!.output);
    // Warm-up of both paths (JIT, heaps, the web app's route bundles).
    for (const mode of ['direct', 'remote'] as const) await lines(mode);
    for (let rep = 0; rep < reps; rep++) {
      const order: Mode[] = rep % 2 ? ['remote', 'direct'] : ['direct', 'remote'];
      for (const mode of order) {
        const { storedMs } = await lines(mode);
        throughput[mode].push(Math.round((LINES / storedMs) * 1000));
        const l = spread(await lineLatencies(client, stores[mode], queues[mode]));
        latency[mode].push(l.p50, l.p95);
        ctx.say(`ingest (${label}, ${mode}): ${rep + 1}/${reps}: ${throughput[mode].at(-1)} lines/s; line → readable p50 ${l.p50} ms, p95 ${l.p95} ms`);
      }
    }
  } finally {
    for (const w of Object.values(workers)) await w?.stop();
    for (const store of Object.values(stores)) await store.close();
    await app.stop();
  }
  const p = (mode: Mode, which: 0 | 1) => summary(latency[mode].filter((_, i) => i % 2 === which), 0);
  const stats = {
    direct: { linesPerS: summary(throughput.direct, 0), p50: p('direct', 0), p95: p('direct', 1) },
    remote: { linesPerS: summary(throughput.remote, 0), p50: p('remote', 0), p95: p('remote', 1) },
  };
  const ratio = (a: number, b: number) => Number((a / b).toFixed(2));
  const metrics: Metric[] = [
    { name: `log lines into ${label}, direct (store), median`, value: stats.direct.linesPerS.median, unit: 'lines/s', target: '' },
    { name: `log lines into ${label}, worker API, median`, value: stats.remote.linesPerS.median, unit: 'lines/s', target: '' },
    { name: `worker API / direct throughput (${label})`, value: ratio(stats.remote.linesPerS.median, stats.direct.linesPerS.median), unit: '', target: '' },
    { name: `line → readable p50, direct (${label})`, value: stats.direct.p50.median, unit: 'ms', target: '' },
    { name: `line → readable p50, worker API (${label})`, value: stats.remote.p50.median, unit: 'ms', target: '' },
    { name: `line → readable p95, direct (${label})`, value: stats.direct.p95.median, unit: 'ms', target: '' },
    { name: `line → readable p95, worker API (${label})`, value: stats.remote.p95.median, unit: 'ms', target: '' },
  ];
  return { metrics, details: stats };
}

export async function benchWorkerApi(ctx: BenchContext): Promise<BenchResult> {
  const reps = ctx.reps ?? DEFAULT_REPS;
  // The web app's harness reads these, as the test runner sets them; it never opens Temporal Web here.
  process.env.TEMPORAL_ADDRESS = ctx.address;
  process.env.TEMPORAL_NAMESPACE = 'default';
  process.env.TEMPORAL_WEB_URL ??= 'http://127.0.0.1:9/temporal';
  const connection = await Connection.connect({ address: ctx.address });
  const client = new Client({ connection, namespace: 'default' });
  const metrics: Metric[] = [];
  const details: Record<string, unknown> = { lines: LINES, rate: RATE, seconds: SECONDS, reps };
  try {
    const sqlite = await benchOneStore(ctx, client, 'SQLite', { direct: freshSqliteUrl(ctx, 'ingest-direct'), remote: freshSqliteUrl(ctx, 'ingest-remote') }, reps);
    metrics.push(...sqlite.metrics);
    details.sqlite = sqlite.details;
    let pg: Postgres | undefined;
    try {
      pg = await startPostgres();
    } catch (err) {
      ctx.say(`ingest: PostgreSQL skipped: ${(err as Error).message}`);
      details.postgres = { skipped: (err as Error).message };
    }
    if (pg) {
      try {
        const direct = new URL(pg.url);
        direct.pathname = '/ingest_direct';
        const admin = new pg_.Client({ connectionString: pg.url });
        await admin.connect();
        await admin.query('create database ingest_direct').finally(() => admin.end());
        const postgres = await benchOneStore(ctx, client, 'PostgreSQL', { direct: direct.href, remote: pg.url }, reps);
        metrics.push(...postgres.metrics);
        details.postgres = postgres.details;
      } finally {
        await pg.stop();
      }
    }
  } finally {
    await connection.close();
  }
  return { name: 'ingest', metrics, details };
}
