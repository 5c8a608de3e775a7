/**
 * Python tasks: the per-call overhead of a no-op Python task called from a flow against a no-op TypeScript
 * task (same server, same run, both flows on one `sluice worker`, the Python task on a Python worker), and the
 * cost of one `log.info` in a Python task. The two flows alternate, in ABBA order, after a warm-up each.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { connect } from 'sluice/internal/temporal';
import { migrateStore } from 'sluice/internal/store';
import { pythonEnv, venvPython } from '../scripts/python-venv';
import { workerToken } from '../test/harness/python';
import { startWebApp } from '../test/web/harness';
import { freshSqliteUrl, uniqueName, type BenchContext } from './lib/context';
import { atMost, type BenchResult, type Metric } from './lib/report';
import { summary } from './lib/stats';
import { ROOT, startSluiceWorker, startWorkerProcess } from './lib/worker-process';

const N = 200;
const WARM_UP_N = 20;
const DEFAULT_REPS = 5;
const LOG_LINES = 100_000;

export async function benchPython(ctx: BenchContext): Promise<BenchResult> {
  const reps = ctx.reps ?? DEFAULT_REPS;
  const storeUrl = freshSqliteUrl(ctx, 'python');
  await migrateStore(storeUrl);
  const python = venvPython();
  const flowsQueue = uniqueName('bench-flows');
  const pyQueue = uniqueName('bench-py');
  // The Python worker is a client of the web app's worker API (its start: handshake, task catalog).
  process.env.TEMPORAL_ADDRESS = ctx.address; // the harness reads these, as the test runner sets them
  process.env.TEMPORAL_NAMESPACE = 'default';
  const app = await startWebApp({ storeUrl, seed: false });
  const token = await workerToken(storeUrl, [pyQueue, flowsQueue]);
  const flows = await startSluiceWorker({
    address: ctx.address,
    taskQueue: flowsQueue,
    storeUrl,
    workflows: `${ROOT}/bench/projects/python/flows.ts`,
    activities: `${ROOT}/bench/projects/overhead/sluice-tasks.ts`,
  });
  const remoteQueue = uniqueName('bench-ts-remote');
  const remote = await startWorkerProcess({
    entry: 'bench/projects/overhead/raw-worker.ts',
    env: { TEMPORAL_ADDRESS: ctx.address, BENCH_TASK_QUEUE: remoteQueue },
    ready: /raw worker ready/,
  });
  const py = await startWorkerProcess({
    entry: 'python',
    command: python,
    args: ['-m', 'sluice', 'worker', `${ROOT}/bench/projects/python/noop_tasks.py`, '--task-queue', pyQueue],
    env: pythonEnv({
      TEMPORAL_ADDRESS: ctx.address, TEMPORAL_NAMESPACE: 'default', SLUICE_URL: app.baseUrl, SLUICE_WORKER_TOKEN: token,
      SLUICE_SPOOL_DIR: mkdtempSync(path.join(ctx.tmpDir, 'python-spool-')), SLUICE_LOG_ECHO: 'WARN',
    }) as Record<string, string>,
    ready: /python worker ready/,
  });
  const connection = await connect({ address: ctx.address });
  const client = new Client({ connection, namespace: 'default' });
  const queueOf: Record<string, string> = { tsSequentialFlow: '', pySequentialFlow: pyQueue, tsRemoteSequentialFlow: remoteQueue };
  const runFlow = async (flow: string, n: number): Promise<number> => {
    const t0 = performance.now();
    const sum = await client.workflow.execute(flow, { taskQueue: flowsQueue, workflowId: uniqueName(`bench-${flow}`), args: [{ n, queue: queueOf[flow] }] });
    const ms = performance.now() - t0;
    if (sum !== (n * (n - 1)) / 2) throw new Error(`${flow} returned ${sum}, expected ${(n * (n - 1)) / 2}`);
    return ms;
  };
  const samples: Record<string, number[]> = { tsSequentialFlow: [], tsRemoteSequentialFlow: [], pySequentialFlow: [] };
  try {
    for (const flow of Object.keys(samples)) await runFlow(flow, WARM_UP_N);
    for (let rep = 0; rep < reps; rep++) {
      const order = Object.keys(samples);
      for (const flow of rep % 2 === 0 ? order : order.reverse()) samples[flow]!.push(await runFlow(flow, N));
      const last = (flow: string) => `${samples[flow]!.at(-1)!.toFixed(0)} ms`;
      ctx.say(`python: repetition ${rep + 1}/${reps}: TypeScript ${last('tsSequentialFlow')}, TypeScript on another queue ${last('tsRemoteSequentialFlow')}, Python ${last('pySequentialFlow')}`);
    }
  } finally {
    await connection.close();
    await Promise.all([flows.stop(), py.stop(), remote.stop()]);
    await app.stop();
  }
  const ts = summary(samples.tsSequentialFlow!);
  const tsRemote = summary(samples.tsRemoteSequentialFlow!);
  const pyCalls = summary(samples.pySequentialFlow!);
  const ratio = Number((pyCalls.median / ts.median).toFixed(3));
  const remoteRatio = Number((pyCalls.median / tsRemote.median).toFixed(3));

  ctx.say(`python: ${LOG_LINES} log.info calls in a Python task`);
  const logCost = JSON.parse(
    execFileSync(python, [`${ROOT}/bench/projects/python/log_cost.py`, mkdtempSync(path.join(ctx.tmpDir, 'python-log-spool-')), String(LOG_LINES)], { env: pythonEnv(process.env), encoding: 'utf8' }).trim().split('\n').at(-1)!,
  ) as { usPerLine: number; written: number; dropped: number };
  if (logCost.dropped !== 0) throw new Error(`the log cost run dropped ${logCost.dropped} lines`);

  const metrics: Metric[] = [
    { name: `${N} sequential no-op tasks: TypeScript, median`, value: ts.median, unit: 'ms', target: '' },
    { name: `${N} sequential no-op tasks: TypeScript on another queue, median`, value: tsRemote.median, unit: 'ms', target: '' },
    { name: `${N} sequential no-op tasks: Python, median`, value: pyCalls.median, unit: 'ms', target: '' },
    { name: 'per call: Python/TypeScript (same worker, eager)', value: ratio, unit: '', ...atMost(ratio, 1.3) },
    { name: 'per call: Python/TypeScript on another queue', value: remoteRatio, unit: '', ...atMost(remoteRatio, 1.3) },
    { name: 'log.info in a Python task', value: Number(logCost.usPerLine.toFixed(2)), unit: 'µs', ...atMost(logCost.usPerLine, 5) },
  ];
  return { name: 'python', metrics, details: { reps, n: N, typescriptMs: ts, typescriptOtherQueueMs: tsRemote, pythonMs: pyCalls, ratio, remoteRatio, logCost } };
}
