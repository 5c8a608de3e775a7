/**
 * What one sequential task costs, and where the time goes. The same flow of 40 light tasks runs on a dev
 * server without eager activity execution (Sluice before) and on one with it (Sluice's default now), and
 * as local tasks (`task({ local: true })`). Variants alternate in each repetition. The breakdown per task
 * comes from the run's history: waiting in the task queue (scheduled → started), running (started →
 * completed), and the flow's turn to schedule the next one (completed → next scheduled).
 */
import { Client, Connection } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { startDevServer, type DevServer } from 'sluice/dev';
import { freshSqliteUrl, uniqueName, type BenchContext } from './lib/context';
import type { BenchResult, Metric } from './lib/report';
import { median, summary } from './lib/stats';
import { ROOT, startSluiceWorker, type WorkerProcess } from './lib/worker-process';

const N = 40;
const DEFAULT_REPS = 5;
const VARIANTS = [
  { name: 'before: no eager activities', flow: 'sequentialTasks', eager: false },
  { name: 'eager activities (default)', flow: 'sequentialTasks', eager: true },
  { name: 'local tasks', flow: 'sequentialLocalTasks', eager: true },
] as const;

interface Stack {
  server: DevServer;
  client: Client;
  worker: WorkerProcess;
  taskQueue: string;
}

async function startStack(ctx: BenchContext, eager: boolean): Promise<Stack> {
  const server = await startDevServer({ eagerActivities: eager });
  const taskQueue = uniqueName(eager ? 'latency-eager' : 'latency-plain');
  const worker = await startSluiceWorker({
    address: server.address,
    taskQueue,
    storeUrl: freshSqliteUrl(ctx, 'latency'),
    workflows: `${ROOT}/bench/projects/latency/flows.ts`,
    activities: `${ROOT}/bench/projects/latency/tasks.ts`,
  });
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  return { server, client, worker, taskQueue };
}

/** Per task: queue wait, run time and the flow's turnaround to the next task, medians in ms. */
export async function breakdown(client: Client, workflowId: string, runId: string): Promise<{ queueMs: number; runMs: number; turnaroundMs: number }> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const at = (e: { eventTime?: unknown }) => optionalTsToMs(e.eventTime as never) ?? 0;
  const scheduled = new Map<number, number>();
  const started = new Map<number, number>();
  const queue: number[] = [];
  const run: number[] = [];
  const turnaround: number[] = [];
  let lastCompleted: number | undefined;
  for (const e of history.events ?? []) {
    const id = Number(e.eventId);
    if (e.activityTaskScheduledEventAttributes) {
      scheduled.set(id, at(e));
      if (lastCompleted !== undefined) turnaround.push(at(e) - lastCompleted);
    } else if (e.activityTaskStartedEventAttributes) {
      const s = Number(e.activityTaskStartedEventAttributes.scheduledEventId);
      started.set(s, at(e));
      queue.push(at(e) - scheduled.get(s)!);
    } else if (e.activityTaskCompletedEventAttributes) {
      const s = Number(e.activityTaskCompletedEventAttributes.scheduledEventId);
      run.push(at(e) - started.get(s)!);
      lastCompleted = at(e);
    }
  }
  return { queueMs: median(queue), runMs: median(run), turnaroundMs: median(turnaround) };
}

export async function benchLatency(ctx: BenchContext): Promise<BenchResult> {
  const reps = ctx.reps ?? DEFAULT_REPS;
  ctx.say('latency: starting a dev server without eager activities, one with them, and a worker on each');
  const stacks = { false: await startStack(ctx, false), true: await startStack(ctx, true) };
  const samples: Record<string, number[]> = Object.fromEntries(VARIANTS.map((v) => [v.name, []]));
  const breakdowns: Record<string, Awaited<ReturnType<typeof breakdown>>> = {};
  try {
    const execute = async (v: (typeof VARIANTS)[number], n: number) => {
      const { client, taskQueue } = stacks[`${v.eager}`];
      const workflowId = uniqueName(`latency-${v.flow}`);
      const t0 = performance.now();
      const handle = await client.workflow.start(v.flow, { taskQueue, workflowId, args: [{ n }] });
      const sum = await handle.result();
      const ms = performance.now() - t0;
      if (sum !== (n * (n - 1)) / 2) throw new Error(`${v.flow} returned ${sum}, expected ${(n * (n - 1)) / 2}`);
      return { ms, workflowId, runId: handle.firstExecutionRunId };
    };
    for (const v of VARIANTS) await execute(v, 5); // warm-up, not timed
    for (let rep = 0; rep < reps; rep++) {
      const order = rep % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
      for (const v of order) {
        const { ms, workflowId, runId } = await execute(v, N);
        samples[v.name]!.push(ms);
        if (v.flow === 'sequentialTasks') breakdowns[v.name] = await breakdown(stacks[`${v.eager}`].client, workflowId, runId);
      }
      ctx.say(`latency: repetition ${rep + 1}/${reps}: ${VARIANTS.map((v) => `${v.name} ${samples[v.name]!.at(-1)!.toFixed(0)} ms`).join(', ')}`);
    }
  } finally {
    for (const s of Object.values(stacks)) {
      await s.worker.stop();
      await s.client.connection.close();
      await s.server.stop();
    }
  }

  const metrics: Metric[] = [];
  const details: Record<string, unknown> = { n: N, reps, breakdowns };
  const before = median(samples[VARIANTS[0].name]!);
  for (const v of VARIANTS) {
    const s = summary(samples[v.name]!);
    details[v.name] = s;
    metrics.push({ name: `${N} sequential tasks, ${v.name}: per task`, value: Number((s.median / N).toFixed(1)), unit: 'ms', target: '' });
    const b = breakdowns[v.name];
    if (b) {
      metrics.push(
        { name: '  task queue wait (scheduled → started), median', value: b.queueMs, unit: 'ms', target: '' },
        { name: '  running (started → completed), median', value: b.runMs, unit: 'ms', target: '' },
        { name: '  flow turnaround (completed → next scheduled), median', value: b.turnaroundMs, unit: 'ms', target: '' },
      );
    }
  }
  const eagerRatio = Number((median(samples[VARIANTS[1].name]!) / before).toFixed(3));
  const localRatio = Number((median(samples[VARIANTS[2].name]!) / before).toFixed(3));
  // Ratios to the old default, measured in this run; the targets against Prefect are issue #10's.
  metrics.push(
    { name: 'eager activities / before', value: eagerRatio, unit: '', target: '' },
    { name: 'local tasks / before', value: localRatio, unit: '', target: '' },
  );
  return { name: 'latency', metrics, details };
}
