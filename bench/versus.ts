/**
 * This tree against a baseline (`--baseline=DIR`: another checkout of Sluice, `npm ci` and `npm run build` done
 * there), in one run, so that both meet the same load on a shared machine:
 * - 100,000 log lines from one task on `sluice worker`, into SQLite and into PostgreSQL (as `logs`);
 * - the live tail on PostgreSQL with 4 writers, line handed to `insertLogs` → read: p95 (as `tail`);
 * - 40 sequential tasks, without and with a log line each (as `latency`, on this run's dev server).
 * Each tree runs its own code: its own `sluice worker` (DIR/sdk/bin/sluice.js) and its own store module, each on
 * its own store (a SQLite file, a PostgreSQL database of one server). The projects are this tree's
 * (bench/projects/logs and latency), copied into DIR/bench/versus-projects so that they import DIR's `sluice`.
 * Within each part the two trees alternate (ABBA) after a warm-up of each; every repetition gives a ratio
 * after/before, and the figure is the ratio of the medians, with the spread of those per-repetition ratios.
 */
import { cpSync, existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from '@temporalio/client';
import pg from 'pg';
import { connect } from 'sluice/internal/temporal';
import type { Store } from 'sluice/internal/store';
import { startPostgres } from '../scripts/postgres';
import { freshSqliteUrl, uniqueName, type BenchContext } from './lib/context';
import type { BenchResult, Metric } from './lib/report';
import { median, summary } from './lib/stats';
import { ROOT, sluiceWorkerEnv, startWorkerProcess, type WorkerProcess } from './lib/worker-process';
import { measureStoredLines } from './log-throughput';
import { tailLatency, throughput, WRITERS } from './log-tail';
import { spread } from './web/percentiles';

const DEFAULT_REPS = 5;
const LINES = 100_000;
const TASKS = 40;

interface Tree {
  label: 'before' | 'after';
  root: string;
  /** Where its copies of this tree's bench projects are. */
  projects: string;
  openStore(url: string): Promise<Store>;
}

async function loadTree(label: Tree['label'], root: string): Promise<Tree> {
  const storeModule = path.join(root, 'node_modules/sluice/lib/store/index.js');
  if (!existsSync(storeModule)) throw new Error(`versus: ${storeModule} is missing: run npm ci and npm run build in ${root}`);
  const { openStore } = (await import(pathToFileURL(storeModule).href)) as { openStore(url: string, o?: { migrate?: boolean }): Promise<Store> };
  let projects = path.join(ROOT, 'bench/projects');
  if (root !== ROOT) {
    projects = path.join(root, 'bench/versus-projects');
    for (const p of ['logs', 'latency']) cpSync(path.join(ROOT, 'bench/projects', p), path.join(projects, p), { recursive: true });
  }
  // Only owners migrate now (the baseline's openStore migrated always and ignores the option).
  return { label, root, projects, openStore: (url) => openStore(url, { migrate: true }) };
}

async function startWorker(ctx: BenchContext, tree: Tree, storeUrl: string, project: 'logs' | 'latency'): Promise<{ worker: WorkerProcess; taskQueue: string }> {
  const [workflows, activities] = project === 'logs' ? ['logs/log-flows.ts', 'logs/log-tasks.ts'] : ['latency/flows.ts', 'latency/tasks.ts'];
  const taskQueue = uniqueName(`versus-${tree.label}-${project}`);
  const worker = await startWorkerProcess({
    entry: path.join(tree.root, 'sdk/bin/sluice.js'),
    args: ['worker'],
    env: sluiceWorkerEnv({
      address: ctx.address,
      taskQueue,
      storeUrl,
      workflows: path.join(tree.projects, workflows),
      activities: path.join(tree.projects, activities),
    }),
    ready: /worker ready/,
    readyTimeoutMs: 300_000, // bundling the flows takes minutes on a loaded machine
  });
  return { worker, taskQueue };
}

/** Runs `measure` for each tree, alternating which goes first, after one warm-up each; samples by tree. */
async function alternate<T>(trees: Tree[], reps: number, measure: (tree: Tree, rep: number) => Promise<T>, say: (rep: number, r: Record<string, T>) => void) {
  for (const tree of trees) await measure(tree, -1);
  const samples: Record<string, T[]> = { before: [], after: [] };
  for (let rep = 0; rep < reps; rep++) {
    const order = rep % 2 ? [...trees].reverse() : trees;
    const r: Record<string, T> = {};
    for (const tree of order) r[tree.label] = await measure(tree, rep);
    for (const tree of trees) samples[tree.label]!.push(r[tree.label]!);
    say(rep, r);
  }
  return samples;
}

interface Figure {
  name: string;
  unit: string;
  /** 'higher' for throughput, 'lower' for times. */
  better: 'higher' | 'lower';
  before: number[];
  after: number[];
}

function toMetrics(f: Figure): { metrics: Metric[]; details: Record<string, unknown> } {
  const ratios = f.after.map((a, i) => a / f.before[i]!);
  const ratio = median(f.after) / median(f.before);
  const ok = f.better === 'higher' ? ratio >= 1 : ratio <= 1;
  const r = summary(ratios, 3);
  return {
    metrics: [
      { name: `${f.name}: before, median`, value: median(f.before), unit: f.unit, target: '' },
      { name: `${f.name}: after, median`, value: median(f.after), unit: f.unit, target: '' },
      {
        name: `${f.name}: after/before (repetitions ${r.min.toFixed(2)}–${r.max.toFixed(2)})`,
        value: Number(ratio.toFixed(3)),
        unit: '',
        target: f.better === 'higher' ? '>= 1' : '<= 1',
        pass: ok,
      },
    ],
    details: { before: summary(f.before), after: summary(f.after), ratio, ratios: r },
  };
}

async function logLines(ctx: BenchContext, client: Client, trees: Tree[], reps: number, label: string, urls: Record<string, string>): Promise<Figure> {
  const stacks = new Map<Tree, { store: Store; worker: WorkerProcess; taskQueue: string }>();
  try {
    for (const tree of trees) {
      const store = await tree.openStore(urls[tree.label]!);
      stacks.set(tree, { store, ...(await startWorker(ctx, tree, urls[tree.label]!, 'logs')) });
    }
    const samples = await alternate(
      trees,
      reps,
      async (tree) => {
        const s = stacks.get(tree)!;
        const { storedMs } = await measureStoredLines(client, s.store, s.taskQueue, LINES, `${tree.label} ${label}`, s.worker.output);
        return Math.round((LINES / storedMs) * 1000);
      },
      (rep, r) => ctx.say(`versus: logs ${label} ${rep + 1}/${reps}: before ${r.before} lines/s, after ${r.after} lines/s`),
    );
    return { name: `100,000 log lines into ${label}`, unit: 'lines/s', better: 'higher', ...(samples as { before: number[]; after: number[] }) };
  } finally {
    for (const s of stacks.values()) {
      await s.store.close();
      await s.worker.stop();
    }
  }
}

async function tailP95(ctx: BenchContext, trees: Tree[], reps: number, urls: Record<string, string>): Promise<Figure[]> {
  const stacks = new Map<Tree, { writers: Store[]; reader: Store }>();
  try {
    for (const tree of trees) {
      const reader = await tree.openStore(urls[tree.label]!);
      const writers: Store[] = [];
      stacks.set(tree, { writers, reader });
      for (let i = 0; i < WRITERS; i++) writers.push(await tree.openStore(urls[tree.label]!));
    }
    const samples = await alternate(
      trees,
      reps,
      async (tree, rep) => {
        const { writers, reader } = stacks.get(tree)!;
        if (rep < 0) return { p95: await throughput(writers, -1), rate: 0 }; // warm-up: JIT, the pools, the table's first pages
        const p95 = spread((await tailLatency(writers, reader, rep)).fromWrite).p95;
        return { p95, rate: await throughput(writers, rep) };
      },
      (rep, r) => ctx.say(`versus: tail ${rep + 1}/${reps}: p95 before ${r.before!.p95} ms, after ${r.after!.p95} ms; ${WRITERS} writers before ${r.before!.rate} lines/s, after ${r.after!.rate} lines/s`),
    );
    const pick = (k: 'p95' | 'rate') => ({ before: samples.before!.map((s) => s[k]), after: samples.after!.map((s) => s[k]) });
    return [
      { name: `log line written → read by the tail (PostgreSQL, ${WRITERS} writers), p95`, unit: 'ms', better: 'lower', ...pick('p95') },
      { name: `100,000 lines by ${WRITERS} concurrent writers (PostgreSQL)`, unit: 'lines/s', better: 'higher', ...pick('rate') },
    ];
  } finally {
    for (const s of stacks.values()) for (const store of [...s.writers, s.reader]) await store.close();
  }
}

async function sequentialTasks(ctx: BenchContext, client: Client, trees: Tree[], reps: number): Promise<Figure[]> {
  const stacks = new Map<Tree, { worker: WorkerProcess; taskQueue: string }>();
  const flows = [
    { flow: 'sequentialTasks', name: `${TASKS} sequential tasks` },
    { flow: 'sequentialLoggingTasks', name: `${TASKS} sequential tasks logging a line each` },
  ];
  try {
    for (const tree of trees) {
      const url = freshSqliteUrl(ctx, `versus-${tree.label}`);
      await (await tree.openStore(url)).close();
      stacks.set(tree, await startWorker(ctx, tree, url, 'latency'));
    }
    const samples = await alternate(
      trees,
      reps,
      async (tree, rep) => {
        const { taskQueue } = stacks.get(tree)!;
        const n = rep < 0 ? 5 : TASKS;
        const ms: number[] = [];
        for (const { flow } of flows) {
          const t0 = performance.now();
          const sum = await client.workflow.execute(flow, { taskQueue, workflowId: uniqueName(`versus-${flow}`), args: [{ n }] });
          ms.push(performance.now() - t0);
          if (sum !== (n * (n - 1)) / 2) throw new Error(`${tree.label} ${flow} returned ${sum}, expected ${(n * (n - 1)) / 2}`);
        }
        return ms;
      },
      (rep, r) => ctx.say(`versus: latency ${rep + 1}/${reps}: ${flows.map((f, i) => `${f.flow} before ${r.before![i]!.toFixed(0)} ms, after ${r.after![i]!.toFixed(0)} ms`).join('; ')}`),
    );
    return flows.map((f, i) => ({
      name: `${f.name}, the whole flow`,
      unit: 'ms',
      better: 'lower' as const,
      before: samples.before!.map((s) => Number(s[i]!.toFixed(1))),
      after: samples.after!.map((s) => Number(s[i]!.toFixed(1))),
    }));
  } finally {
    for (const s of stacks.values()) await s.worker.stop();
  }
}

export async function benchVersus(ctx: BenchContext): Promise<BenchResult> {
  const reps = ctx.reps ?? DEFAULT_REPS;
  const trees = [await loadTree('before', ctx.baseline!), await loadTree('after', ROOT)];
  const connection = await connect({ address: ctx.address });
  const client = new Client({ connection, namespace: 'default' });
  const postgres = await startPostgres();
  const figures: Figure[] = [];
  try {
    // One server, a database per tree: neither reads the other's rows, both meet the same server.
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    const pgUrls: Record<string, string> = {};
    for (const tree of trees) {
      await admin.query(`CREATE DATABASE ${tree.label}`);
      pgUrls[tree.label] = postgres.url.replace(/\/sluice$/, `/${tree.label}`);
    }
    await admin.end();
    const sqliteUrls = Object.fromEntries(trees.map((t) => [t.label, freshSqliteUrl(ctx, `versus-${t.label}`)]));
    // VERSUS_ONLY=pg,tail: some of the parts (bench/README.md).
    const only = (process.env.VERSUS_ONLY ?? 'sqlite,pg,tail,latency').split(',');
    if (only.includes('sqlite')) figures.push(await logLines(ctx, client, trees, reps, 'SQLite', sqliteUrls));
    if (only.includes('pg')) figures.push(await logLines(ctx, client, trees, reps, 'PostgreSQL', pgUrls));
    if (only.includes('tail')) figures.push(...(await tailP95(ctx, trees, reps, pgUrls)));
    if (only.includes('latency')) figures.push(...(await sequentialTasks(ctx, client, trees, reps)));
  } finally {
    await connection.close();
    await postgres.stop();
  }
  const results = figures.map(toMetrics);
  return {
    name: 'versus',
    metrics: results.flatMap((r) => r.metrics),
    details: { baseline: ctx.baseline, reps, ...Object.fromEntries(figures.map((f, i) => [f.name, results[i]!.details])) },
  };
}
