/**
 * `npm run bench:throughput [-- --runs=N] [--prefect-runs=M] [--concurrency=C] [--serve-limit=L]`: issue 24's
 * throughput on the production topology, against Prefect 3 on PostgreSQL, in one run.
 *
 * Sluice: PostgreSQL, the production Temporal on it, the web app in production mode and two `sluice worker`s
 * through its worker API (bench/lib/production-stack.ts). Prefect: its server on PostgreSQL (a cluster of its
 * own) and two `serve` processes. Each side runs the same flow (throughput/: five tasks one after another, each
 * writing 20 log lines), started as fast as the client can (C start calls in flight), and is measured alone
 * (the other stack is not running): Prefect first (M runs), then Sluice with M runs (like with like: a queue of
 * M, as Prefect's) and then N.
 * For each batch: every run completed, exactly runs × 5 × 20 lines in the store, tasks/s (first start call to
 * last completion) and p95 of "start → first task running" (the start call to the time the first task wrote its
 * first line, as the line itself records it, on each side). Measurements, not tests: a missed target does not
 * change the exit code.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { startPostgres, type Postgres } from '../../scripts/postgres';
import { startProductionStack, type ProductionStack } from '../lib/production-stack';
import { machineCpu, stealPercent, treeCpuSeconds } from '../lib/proc';
import { atLeast, atMost, reportRun, startRun, type Metric } from '../lib/report';
import { startPrefect, type PrefectStack } from '../prefect/prefect-stack';

const ROOT = path.resolve(__dirname, '../..');
const HERE = path.join(__dirname, 'throughput');
const TASKS_PER_RUN = 5;
const LINES_PER_TASK = 20;
const LINES_PER_RUN = TASKS_PER_RUN * LINES_PER_TASK;
const TASK_QUEUE = 'scale-throughput';
/** How long the line count may stand still, every run completed, before the missing lines count as lost. */
const LINES_SETTLE_MS = 60_000;

const say = (line: string) => process.stderr.write(`[bench:throughput] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

interface Args {
  runs: number;
  prefectRuns: number;
  concurrency: number;
  serveLimit: number;
}

const USAGE = 'Usage: npm run bench:throughput [-- --runs=N] [--prefect-runs=M] [--concurrency=C] [--serve-limit=L]';

function parseArgs(argv: string[]): Args {
  const args: Args = { runs: 10_000, prefectRuns: 200, concurrency: 50, serveLimit: 10 };
  const names: Record<string, keyof Args> = { runs: 'runs', 'prefect-runs': 'prefectRuns', concurrency: 'concurrency', 'serve-limit': 'serveLimit' };
  for (const arg of argv) {
    const m = /^--([a-z-]+)=(\d+)$/.exec(arg);
    const key = m && names[m[1]!];
    if (!key || (Number(m[2]) < 1 && key !== 'prefectRuns')) throw new Error(`Unknown or invalid argument ${JSON.stringify(arg)}. ${USAGE}`);
    args[key] = Number(m[2]);
  }
  return args;
}

/** One batch's outcome on one side. */
interface Batch {
  side: string;
  runs: number;
  completed: number;
  lines: number;
  /** First start call to last completion, s. */
  wallS: number;
  tasksPerS: number;
  /** Start call → first task's first line, per run, ms. */
  startToFirstTaskMs: number[];
  /** How long the start calls alone took, s (the client's own rate). */
  startCallsS: number;
  stealPercent?: number;
  /** CPU seconds each part of the stack used during the batch (its process tree). */
  cpuS: Record<string, number>;
}

/** CPU seconds of each part so far, exited processes included; call again to get what it used since. */
function cpuMeter(parts: Record<string, number[]>): () => Record<string, number> {
  const read = () => Object.fromEntries(Object.entries(parts).map(([k, pids]) => [k, pids.reduce((sum, pid) => sum + treeCpuSeconds(pid, true), 0)]));
  const start = read();
  return () => Object.fromEntries(Object.entries(read()).map(([k, v]) => [k, Number((v - start[k]!).toFixed(1))]));
}

/** Calls `start(i)` for i < n with at most `concurrency` in flight; returns each call's start time (epoch ms). */
async function startAll<T>(n: number, concurrency: number, start: (i: number) => Promise<T>): Promise<{ at: number[]; refs: T[] }> {
  const at: number[] = new Array(n);
  const refs: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      for (let i = next++; i < n; i = next++) {
        at[i] = Date.now();
        refs[i] = await start(i);
      }
    }),
  );
  return { at, refs };
}

/** Polls `count` until it reaches `total` (or, for lines, stops growing); reports progress every 10 s. */
async function waitFor(what: string, total: number, count: () => Promise<number>, stallMs: number, timeoutMs: number): Promise<number> {
  let last = -1;
  let lastChange = Date.now();
  let lastSaid = 0;
  for (const deadline = Date.now() + timeoutMs; ; await sleep(2_000)) {
    const n = await count();
    if (n !== last) [last, lastChange] = [n, Date.now()];
    if (n >= total) return n;
    if (Date.now() - lastSaid > 10_000) (say(`${what}: ${n} of ${total}`), (lastSaid = Date.now()));
    if (Date.now() - lastChange > stallMs || Date.now() > deadline) return n;
  }
}

async function sluiceBatch(stack: ProductionStack, db: PgClient, runs: number, concurrency: number, label: string): Promise<Batch> {
  // Runs closed before this batch (visibility may list a new run a moment after its start: count closed ones).
  const closedRuns = async () => (await stack.client.temporal.workflow.count(`WorkflowType = 'chain' AND ExecutionStatus != 'Running'`)).count;
  const closedBefore = await closedRuns();
  say(`sluice: starting ${runs} runs (${concurrency} start calls in flight)`);
  const cpu0 = machineCpu();
  const used = cpuMeter({ postgres: [stack.pids.postgres], temporal: [stack.pids.temporal], 'web app': [stack.pids.web], workers: stack.pids.workers });
  const t0 = Date.now();
  const { at, refs } = await startAll(runs, concurrency, () => stack.client.start('chain', {}));
  const startCallsS = (Date.now() - t0) / 1000;
  const runIds = refs.map((r) => r.runId);
  // Completion from Temporal's visibility (SQL, on PostgreSQL): a count while they run (batches run one after
  // another), then each run's status and close time, in slices.
  await waitFor(`sluice ${label}: runs finished`, runs, async () => (await closedRuns()) - closedBefore, 10 * 60_000, 2 * 60 * 60_000);
  const closed = new Map<string, { status: string; closeTime: number }>();
  for (let i = 0; i < refs.length; i += 200) {
    const ids = refs.slice(i, i + 200).map((r) => `'${r.workflowId}'`).join(',');
    for await (const w of stack.client.temporal.workflow.list({ query: `ExecutionStatus != 'Running' AND WorkflowId IN (${ids})` })) {
      closed.set(w.workflowId, { status: w.status.name, closeTime: w.closeTime?.getTime() ?? Date.now() });
    }
  }
  const completedRuns = [...closed.values()].filter((c) => c.status === 'COMPLETED');
  const lastCompletion = Math.max(...completedRuns.map((c) => c.closeTime));
  const countLines = async () => Number((await db.query(`SELECT count(*) AS n FROM logs WHERE run_id = ANY($1) AND message LIKE 'line %'`, [runIds])).rows[0].n);
  await waitFor(`sluice ${label}: lines in the store`, runs * LINES_PER_RUN, countLines, LINES_SETTLE_MS, 30 * 60_000);
  const lines = await countLines(); // again: a line written twice shows as one too many
  const first = await db.query<{ run_id: string; t: string }>(`SELECT run_id, min(time) AS t FROM logs WHERE run_id = ANY($1) AND message = 'line 0 of task 0' GROUP BY run_id`, [runIds]);
  const firstAt = new Map(first.rows.map((r) => [r.run_id, Number(r.t)]));
  const latencies = runIds.flatMap((id, i) => (firstAt.has(id) ? [firstAt.get(id)! - at[i]!] : []));
  const wallS = (lastCompletion - t0) / 1000;
  return { side: 'sluice', runs, completed: completedRuns.length, lines, wallS, tasksPerS: (completedRuns.length * TASKS_PER_RUN) / wallS, startToFirstTaskMs: latencies, startCallsS, stealPercent: stealPercent(cpu0, machineCpu()), cpuS: used() };
}

async function prefectBatch(prefect: PrefectStack, pgPid: number, db: PgClient, runs: number, concurrency: number): Promise<Batch> {
  say(`prefect: starting ${runs} runs (${concurrency} start calls in flight)`);
  const cpu0 = machineCpu();
  const used = cpuMeter({ postgres: [pgPid], server: [prefect.serverPid], 'serve processes and their flow runs': prefect.servePids });
  const t0 = Date.now();
  const { at, refs } = await startAll(runs, concurrency, () => prefect.runDeployment('chain', {}));
  const startCallsS = (Date.now() - t0) / 1000;
  const ids = refs.map((r) => r.id);
  // Prefect's own tables, in its database: a flow run's state and end time, its log lines.
  const finished = async () => Number((await db.query(`SELECT count(*) AS n FROM flow_run WHERE id = ANY($1::uuid[]) AND state_type IN ('COMPLETED', 'FAILED', 'CRASHED', 'CANCELLED')`, [ids])).rows[0].n);
  await waitFor('prefect: runs finished', runs, finished, 10 * 60_000, 3 * 60 * 60_000);
  const done = await db.query<{ n: string; last: Date | null }>(`SELECT count(*) AS n, max(end_time) AS last FROM flow_run WHERE id = ANY($1::uuid[]) AND state_type = 'COMPLETED'`, [ids]);
  const completed = Number(done.rows[0]!.n);
  const countLines = async () => Number((await db.query(`SELECT count(*) AS n FROM log WHERE flow_run_id = ANY($1::uuid[]) AND message LIKE 'line %'`, [ids])).rows[0].n);
  await waitFor('prefect: lines in its database', runs * LINES_PER_RUN, countLines, LINES_SETTLE_MS, 30 * 60_000);
  const lines = await countLines(); // again: a line written twice shows as one too many
  const first = await db.query<{ id: string; t: Date }>(`SELECT flow_run_id AS id, min(timestamp) AS t FROM log WHERE flow_run_id = ANY($1::uuid[]) AND message = 'line 0 of task 0' GROUP BY flow_run_id`, [ids]);
  const firstAt = new Map(first.rows.map((r) => [r.id, r.t.getTime()]));
  const latencies = ids.flatMap((id, i) => (firstAt.has(id) ? [firstAt.get(id)! - at[i]!] : []));
  const wallS = ((done.rows[0]!.last?.getTime() ?? Date.now()) - t0) / 1000;
  return { side: 'prefect', runs, completed, lines, wallS, tasksPerS: (completed * TASKS_PER_RUN) / wallS, startToFirstTaskMs: latencies, startCallsS, stealPercent: stealPercent(cpu0, machineCpu()), cpuS: used() };
}

/** A batch's figures as soon as it is done (a long run that is stopped later still showed them). */
function said(b: Batch): Batch {
  const p = (q: number) => (b.startToFirstTaskMs.length ? percentile(b.startToFirstTaskMs, q) : NaN);
  say(`${b.side} ${b.runs} runs: ${b.completed} completed, ${b.lines} of ${b.runs * LINES_PER_RUN} lines, ${b.tasksPerS.toFixed(2)} tasks/s over ${b.wallS.toFixed(1)} s, start → first task p50 ${p(50)} ms, p95 ${p(95)} ms, steal ${b.stealPercent ?? '?'}%; CPU s: ${Object.entries(b.cpuS).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  return b;
}

function batchMetrics(b: Batch): Metric[] {
  const name = `${b.side} ${b.runs} runs`;
  return [
    { name: `${name}: runs not completed`, value: b.runs - b.completed, unit: '', ...atMost(b.runs - b.completed, 0) },
    { name: `${name}: log lines in the store − runs × 100`, value: b.lines - b.runs * LINES_PER_RUN, unit: '', target: '= 0', pass: b.lines === b.runs * LINES_PER_RUN },
    { name: `${name}: throughput`, value: b.tasksPerS, unit: 'tasks/s', target: '' },
    { name: `${name}: start → first task p95`, value: b.startToFirstTaskMs.length ? percentile(b.startToFirstTaskMs, 95) : NaN, unit: 'ms', target: '' },
    { name: `${name}: start → first task p50`, value: b.startToFirstTaskMs.length ? percentile(b.startToFirstTaskMs, 50) : NaN, unit: 'ms', target: '' },
    // Less dependent on the machine's load than the rates: what the whole stack spent per task.
    { name: `${name}: CPU per 1,000 tasks`, value: (1000 * Object.values(b.cpuS).reduce((x, y) => x + y, 0)) / (b.completed * TASKS_PER_RUN || 1), unit: 's', target: '' },
  ];
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const runStart = startRun();
  const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-throughput-'));
  const batches: Batch[] = [];
  let stack: ProductionStack | undefined;
  let prefectPg: Postgres | undefined;
  let prefect: PrefectStack | undefined;
  const dbs: PgClient[] = [];
  const connect = async (url: string) => {
    const db = new PgClient({ connectionString: url });
    db.on('error', (err) => say(`reading ${url}: ${err.message}`)); // its server stopped first: nothing to do
    await db.connect();
    dbs.push(db);
    return db;
  };
  try {
    if (args.prefectRuns > 0) {
      say('making or reusing the Prefect virtual environment (scripts/venv.sh)');
      const venv = execFileSync('bash', [path.join(ROOT, 'scripts/venv.sh'), 'prefect', path.join(ROOT, 'bench/prefect/requirements.txt')], { encoding: 'utf8' }).trim();
      prefectPg = await startPostgres();
      prefect = await startPrefect(path.join(venv, 'bin/python'), tmpDir, say, {
        databaseUrl: prefectPg.url,
        serve: { script: path.join(HERE, 'prefect_serve.py'), deployments: ['chain'], processes: 2, env: { SERVE_LIMIT: String(args.serveLimit) } },
      });
      say('prefect: warming up (one run)');
      await prefect.waitForRun(await prefect.runDeployment('chain', {}));
      const prefectDb = await connect(prefectPg.url);
      batches.push(said(await prefectBatch(prefect, prefectPg.pid, prefectDb, args.prefectRuns, args.concurrency)));
      await prefectDb.end();
      dbs.splice(dbs.indexOf(prefectDb), 1);
      await prefect.stop();
      prefect = undefined;
      await prefectPg.stop();
      prefectPg = undefined;
    }

    stack = await startProductionStack({ tmpDir, taskQueue: TASK_QUEUE, workers: 2, workflows: path.join(HERE, 'flows.ts'), activities: path.join(HERE, 'tasks.ts'), say });
    const store = await connect(stack.pg.url);
    say('sluice: warming up (one run)');
    await stack.client.waitForResult(await stack.client.start('chain', {}));
    if (args.prefectRuns > 0) batches.push(said(await sluiceBatch(stack, store, args.prefectRuns, args.concurrency, `${args.prefectRuns} runs`)));
    batches.push(said(await sluiceBatch(stack, store, args.runs, args.concurrency, `${args.runs} runs`)));
    await store.end();
    dbs.splice(dbs.indexOf(store), 1);
    await stack.stop();
    stack = undefined;
  } catch (err) {
    say(`failed: ${(err as Error).stack ?? err}`);
    throw err;
  } finally {
    for (const db of dbs) await db.end().catch(() => {});
    await stack?.stop();
    await prefect?.stop();
    await prefectPg?.stop();
    rmSync(tmpDir, { recursive: true, force: true });
  }

  const metrics = batches.flatMap(batchMetrics);
  const prefectBatchResult = batches.find((b) => b.side === 'prefect');
  if (prefectBatchResult) {
    const p95 = (b: Batch) => percentile(b.startToFirstTaskMs, 95);
    for (const s of batches.filter((b) => b.side === 'sluice')) {
      const ratio = s.tasksPerS / prefectBatchResult.tasksPerS;
      metrics.push({ name: `throughput sluice ${s.runs} / prefect ${prefectBatchResult.runs}`, value: ratio, unit: '×', ...atLeast(ratio, 5) });
    }
    const like = batches.find((b) => b.side === 'sluice' && b.runs === prefectBatchResult.runs);
    if (like) {
      const ratio = p95(like) / p95(prefectBatchResult);
      metrics.push({ name: `start → first task p95 sluice / prefect (${like.runs} runs each)`, value: ratio, unit: '×', ...atMost(ratio, 0.1) });
    }
  }
  reportRun([{ name: 'throughput', metrics, details: { args, batches: batches.map((b) => ({ ...b, startToFirstTaskMs: undefined, p95: b.startToFirstTaskMs.length ? percentile(b.startToFirstTaskMs, 95) : null })) } }], {
    ...runStart,
    notes: [
      ...batches.map(
        (b) =>
          `${b.side} ${b.runs} runs: ${b.startCallsS.toFixed(1)} s of start calls, ${b.wallS.toFixed(1)} s to the last completion, steal ${b.stealPercent ?? '?'}% meanwhile; ` +
          `CPU seconds per 1,000 tasks: ${Object.entries(b.cpuS).map(([k, v]) => `${k} ${((1000 * v) / (b.completed * TASKS_PER_RUN || 1)).toFixed(1)}`).join(', ')}.`,
      ),
      `Each side measured alone (the other stack stopped or not yet started); ${args.concurrency} start calls in flight; Prefect: two serve processes, each running at most ${args.serveLimit} flow runs at once (--serve-limit), its runner polling at its default interval.`,
      'start → first task: from the start call to the first line the first task wrote, by that line\'s own time.',
    ],
    meta: { benchmark: 'throughput', args },
  });
}

// Ctrl-C: exit through process.exit so the exit hooks stop the processes this run started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

main().catch((err) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exit(1);
});
