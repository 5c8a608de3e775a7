/**
 * What one sequential task costs, and where the time goes. The same flow of 40 light tasks runs on a dev
 * server with Temporal's defaults (Sluice before), on one with eager activity execution only, on one with all of
 * Sluice's LATENCY_SETTINGS (the default now), and as local tasks (`task({ local: true })`) on the last.
 * Variants alternate in each repetition. The breakdown per task
 * comes from the run's history: waiting in the task queue (scheduled → started), running (started →
 * completed), and the flow's turn to schedule the next one (completed → next scheduled).
 */
import { Client } from '@temporalio/client';
import { connect, timestampMs } from 'sluice/internal/temporal';
import { LATENCY_SETTINGS, startDevServer, type DevServer, type LatencySetting } from 'sluice/internal/dev';
import { freshSqliteUrl, uniqueName, type BenchContext } from './lib/context';
import type { BenchResult, Metric } from './lib/report';
import { mean, median, summary } from './lib/stats';
import { ROOT, startSluiceWorker, type WorkerProcess } from './lib/worker-process';

const N = 40;
const DEFAULT_REPS = 5;
/** The servers, by the LATENCY_SETTINGS each leaves at Temporal's default. */
const ALL = Object.keys(LATENCY_SETTINGS) as LatencySetting[];
const SERVERS = {
  temporalDefaults: ALL,
  eagerOnly: ALL.filter((k) => k !== 'system.enableActivityEagerExecution'),
  sluiceDefaults: [],
} satisfies Record<string, LatencySetting[]>;
type ServerName = keyof typeof SERVERS;
const VARIANTS = [
  { name: "before: Temporal's defaults", flow: 'sequentialTasks', server: 'temporalDefaults' },
  { name: 'eager activities only', flow: 'sequentialTasks', server: 'eagerOnly' },
  { name: 'all of LATENCY_SETTINGS (default)', flow: 'sequentialTasks', server: 'sluiceDefaults' },
  { name: 'local tasks', flow: 'sequentialLocalTasks', server: 'sluiceDefaults' },
  // Each task logs a line: its result waits for the line to be appended and fsync'd in the worker's spool.
  { name: 'each task logging a line (default)', flow: 'sequentialLoggingTasks', server: 'sluiceDefaults' },
] as const satisfies readonly { name: string; flow: string; server: ServerName }[];

interface Stack {
  server: DevServer;
  client: Client;
  worker: WorkerProcess;
  taskQueue: string;
}

async function startStack(ctx: BenchContext, name: ServerName): Promise<Stack> {
  const server = await startDevServer({ without: SERVERS[name] });
  const taskQueue = uniqueName(`latency-${name}`);
  const worker = await startSluiceWorker({
    address: server.address,
    taskQueue,
    storeUrl: freshSqliteUrl(ctx, 'latency'),
    workflows: `${ROOT}/bench/projects/latency/flows.ts`,
    activities: `${ROOT}/bench/projects/latency/tasks.ts`,
  });
  const client = new Client({ connection: await connect({ address: server.address }) });
  return { server, client, worker, taskQueue };
}

/**
 * Per task: queue wait, run time and the flow's turnaround to the next task, means in ms (means, so that the
 * three add up to what a task costs: a wait that hits one task in three is still a third of its cost).
 */
export async function breakdown(client: Client, workflowId: string, runId: string): Promise<{ queueMs: number; runMs: number; turnaroundMs: number }> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const at = (e: { eventTime?: unknown }) => timestampMs(e.eventTime as never) ?? 0;
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
  return { queueMs: mean(queue), runMs: mean(run), turnaroundMs: mean(turnaround) };
}

export async function benchLatency(ctx: BenchContext): Promise<BenchResult> {
  const reps = ctx.reps ?? DEFAULT_REPS;
  ctx.say(`latency: starting dev servers (${Object.keys(SERVERS).join(', ')}) and a worker on each`);
  const stacks = {} as Record<ServerName, Stack>;
  for (const name of Object.keys(SERVERS) as ServerName[]) stacks[name] = await startStack(ctx, name);
  const samples: Record<string, number[]> = Object.fromEntries(VARIANTS.map((v) => [v.name, []]));
  const breakdowns: Record<string, Awaited<ReturnType<typeof breakdown>>> = {};
  try {
    const execute = async (v: (typeof VARIANTS)[number], n: number) => {
      const { client, taskQueue } = stacks[v.server];
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
        if (v.flow === 'sequentialTasks') breakdowns[v.name] = await breakdown(stacks[v.server].client, workflowId, runId);
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
        { name: '  task queue wait (scheduled → started), mean', value: b.queueMs, unit: 'ms', target: '' },
        { name: '  running (started → completed), mean', value: b.runMs, unit: 'ms', target: '' },
        { name: '  flow turnaround (completed → next scheduled), mean', value: b.turnaroundMs, unit: 'ms', target: '' },
      );
    }
  }
  // Ratios to Temporal's defaults, measured in this run; the targets against Prefect are issue #10's.
  for (const v of VARIANTS.slice(1)) {
    metrics.push({ name: `${v.name} / before`, value: Number((median(samples[v.name]!) / before).toFixed(3)), unit: '', target: '' });
  }
  return { name: 'latency', metrics, details };
}
