/**
 * Sluice's overhead over the bare Temporal SDK: the same flow of no-op tasks (sequential, and fanned out with
 * Promise.all) written with `proxyActivities` + plain functions on a plain `Worker.create`, and with
 * `flow()` + `tasks()` + `task()` on Sluice's worker (`sluice worker`). One worker at a time: each
 * repetition starts a fresh worker per variant, warms it up with one small untimed run of each flow, then
 * times one full-size run of each. The variants alternate, in ABBA order, so a server that slows down (or warms up) over the run
 * weighs on both alike.
 */
import { isDeepStrictEqual } from 'node:util';
import { Client } from '@temporalio/client';
import { connect } from 'sluice/internal/temporal';
import { toActivityOptions } from '../sdk/src/task-options';
import { freshSqliteUrl, uniqueName, type BenchContext } from './lib/context';
import { atMost, type BenchResult, type Metric } from './lib/report';
import { summary } from './lib/stats';
import { startSluiceWorker, startWorkerProcess, ROOT, type WorkerProcess } from './lib/worker-process';
import { RAW_ACTIVITY_OPTIONS } from './projects/overhead/raw-activity-options';

// The warm-up runs are a tenth of the size: enough for the first-time costs (the flow's sandbox context, the
// first task, JIT of the hot paths), short enough that N repetitions of both variants fit the time budget.
const SHAPES = [
  { flow: 'sequentialFlow', n: 200, warmUpN: 20, label: '200 sequential tasks' },
  { flow: 'parallelFlow', n: 500, warmUpN: 50, label: '500 parallel tasks' },
] as const;
type Variant = 'raw' | 'sluice';
const TARGET_RATIO = 1.1;
const DEFAULT_REPS = 5;

/** Throws if the bare-SDK flows would not get the same retry policy and timeouts as Sluice's default task. */
export function checkEquivalentOptions(): void {
  const plain = (x: unknown) => JSON.parse(JSON.stringify(x)); // drops the undefined Sluice leaves unset
  const sluice = plain(toActivityOptions());
  if (!isDeepStrictEqual(sluice, plain(RAW_ACTIVITY_OPTIONS))) {
    throw new Error(
      `bench/projects/overhead/raw-activity-options.ts no longer matches Sluice's default task options ` +
        `(${JSON.stringify(sluice)}); update it, or the comparison is unfair.`,
    );
  }
}

function startVariant(variant: Variant, ctx: BenchContext, taskQueue: string, storeUrl: string): Promise<WorkerProcess> {
  if (variant === 'raw') {
    return startWorkerProcess({
      entry: 'bench/projects/overhead/raw-worker.ts',
      env: { TEMPORAL_ADDRESS: ctx.address, BENCH_TASK_QUEUE: taskQueue },
      ready: /raw worker ready/,
    });
  }
  return startSluiceWorker({
    address: ctx.address,
    taskQueue,
    storeUrl,
    workflows: `${ROOT}/bench/projects/overhead/sluice-flows.ts`,
    activities: `${ROOT}/bench/projects/overhead/sluice-tasks.ts`,
  });
}

export async function benchOverhead(ctx: BenchContext): Promise<BenchResult> {
  checkEquivalentOptions();
  const reps = ctx.reps ?? DEFAULT_REPS;
  const storeUrl = freshSqliteUrl(ctx, 'overhead');
  const connection = await connect({ address: ctx.address });
  const client = new Client({ connection, namespace: 'default' });
  // Both variants' flows take `{ n }` and return the sum 0 + 1 + … + (n-1): checked, so a broken run cannot pass as fast.
  const runFlow = async (taskQueue: string, flow: string, n: number): Promise<number> => {
    const t0 = performance.now();
    const sum = await client.workflow.execute(flow, { taskQueue, workflowId: uniqueName(`bench-${flow}`), args: [{ n }] });
    const ms = performance.now() - t0;
    if (sum !== (n * (n - 1)) / 2) throw new Error(`${flow} on ${taskQueue} returned ${sum}, expected ${(n * (n - 1)) / 2}`);
    return ms;
  };

  // One task queue per variant for every repetition: a Sluice worker on a new queue would be refused while the
  // previous repetition's queue, serving the same flow names in the same store, still looks live.
  const queues: Record<Variant, string> = { raw: uniqueName('bench-raw'), sluice: uniqueName('bench-sluice') };
  const samples: Record<Variant, Record<string, number[]>> = { raw: {}, sluice: {} };
  for (const v of ['raw', 'sluice'] as const) for (const s of SHAPES) samples[v][s.flow] = [];
  try {
    for (let rep = 0; rep < reps; rep++) {
      const order: Variant[] = rep % 2 === 0 ? ['raw', 'sluice'] : ['sluice', 'raw'];
      for (const variant of order) {
        const taskQueue = queues[variant];
        const worker = await startVariant(variant, ctx, taskQueue, storeUrl);
        try {
          for (const s of SHAPES) await runFlow(taskQueue, s.flow, s.warmUpN); // warm-up, not timed
          for (const s of SHAPES) samples[variant][s.flow].push(await runFlow(taskQueue, s.flow, s.n));
        } finally {
          await worker.stop();
        }
        const last = SHAPES.map((s) => `${s.flow} ${samples[variant][s.flow].at(-1)!.toFixed(0)} ms`).join(', ');
        ctx.say(`overhead: repetition ${rep + 1}/${reps} ${variant.padEnd(6)} ${last}`);
      }
    }
  } finally {
    await connection.close();
  }

  const metrics: Metric[] = [];
  const details: Record<string, unknown> = { reps, warmUp: SHAPES.map((s) => ({ flow: s.flow, n: s.warmUpN })), activityOptions: RAW_ACTIVITY_OPTIONS };
  for (const s of SHAPES) {
    const raw = summary(samples.raw[s.flow]);
    const sluice = summary(samples.sluice[s.flow]);
    const ratio = Number((sluice.median / raw.median).toFixed(3));
    details[s.flow] = { n: s.n, rawMs: raw, sluiceMs: sluice, ratio };
    metrics.push(
      { name: `${s.label}: raw Temporal, median`, value: raw.median, unit: 'ms', target: '' },
      { name: `${s.label}: Sluice, median`, value: sluice.median, unit: 'ms', target: '' },
      { name: `${s.label}: Sluice/raw`, value: ratio, unit: '', ...atMost(ratio, TARGET_RATIO) },
    );
  }
  return { name: 'overhead', metrics, details };
}
