/**
 * Runs a Sluice worker: checks the project's declarations, claims its flow names (refused if another live task
 * queue serves one), publishes its flows to the catalog (the queue's other flows become gone), adopts the
 * schedules of flows taken over from a queue nobody polls, syncs its deployments to Temporal Schedules, then serves its flows and tasks until SIGINT/SIGTERM,
 * and meanwhile replays its queue's open runs on its code and reports those it cannot carry (sdk/src/replay/). On a signal it
 * stops polling, lets running tasks finish within the grace time, flushes the logs and returns.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type LogEntry } from '@temporalio/worker';
import { format } from 'node:util';
import { adoptSchedules, syncDeployments } from '../schedules';
import { checkServer, SLUICE_VERSION, WORKER_PROTOCOL } from '../compat';
import { connectionOptions, ensureSearchAttributes, reachTemporal } from '../temporal';
import { bundleFlowsInChild, readPrebuiltBundle, type FlowsBundle } from './bundle';
import type { WorkerConfig } from './config';
import { startHealthReports } from './health';
import { captureTaskOutput } from './task-output';
import { openWorkerBackend } from './backend';
import { STARTUP_WAIT_MS } from '../worker-api/client';
import { catalogOf, declaredRulesOf, loadProject, type Project } from './project';
import { RunLogRouter } from './run-log-router';
import { openLogSpool, spoolSummary } from './log-spool';
import { flowLoggerSinks, syncSpoolAfterTask } from './spool-sync';
import { SLUICE_TASK_CATALOG } from '../task-options';
import { taskCatalogOf } from './task-catalog';
import { startUpReplay } from '../replay/start-up-replay';
import { limitTasksOf } from './limit-tasks';

/** One line to stderr per message; the task token and other bulky metadata are left out. */
function echoLine({ level, message, meta, timestampNanos }: LogEntry): void {
  const time = new Date(Number(timestampNanos / 1_000_000n)).toISOString();
  const { taskToken: _t, namespace: _n, sdkComponent: _c, isLocal: _l, ...rest } = meta ?? {};
  const extra = Object.keys(rest).length ? ` ${format('%o', rest)}` : '';
  process.stderr.write(`${time} ${level.padEnd(5)} ${message}${extra}\n`);
}

export async function runWorker(config: WorkerConfig, say: (line: string) => void = console.log): Promise<void> {
  const project = loadProject(config.workflowsPath, config.activitiesPath);
  if (config.remote) {
    // Before anything starts, connects or changes: a web app that does not serve this worker's version refuses it
    // here. It may still be starting (compose starts both at once): asked for as long as the worker API is waited for.
    const hello = await checkServer({ ...config.remote, waitMs: STARTUP_WAIT_MS });
    say(`web app ${config.remote.url}: sluice ${hello.server.version} serves this worker (sluice ${SLUICE_VERSION}, protocol ${WORKER_PROTOCOL.current})`);
  }
  // Bundling takes seconds: it runs while the worker connects, registers and syncs.
  // A prebuilt bundle is checked before anything connects, so a refused one changes nothing on the server.
  const bundle: Promise<FlowsBundle & { remove?(): Promise<void> }> = config.flowsBundle
    ? Promise.resolve(await readPrebuiltBundle(config.flowsBundle, project.taskOptions))
    : bundleFlowsInChild(project.workflowsPath, project.taskOptions);
  bundle.catch(() => {}); // awaited below; this only keeps an early failure elsewhere from leaving it unhandled
  try {
    await serve(config, project, bundle, say);
  } finally {
    await bundle.then((b) => b.remove?.(), () => undefined);
  }
}

async function serve(config: WorkerConfig, project: Project, bundle: Promise<FlowsBundle>, say: (line: string) => void): Promise<void> {
  const warn = (m: string) => process.stderr.write(`log store: ${m}\n`);
  // The store itself (direct mode) or the web app's worker API (remote mode): the same calls either way.
  const backend = await openWorkerBackend(config, warn);
  const spool = openLogSpool({ dir: config.spoolDir, sink: backend, maxBytes: config.spoolMaxBytes, warn });
  const router = new RunLogRouter(new DefaultLogger('INFO', echoLine), config.logEcho, (r) => spool.push(r));
  Runtime.install({
    logger: router,
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    // Temporal's own (Rust) messages go through the same logger, so the worker's output has one format.
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
  });
  captureTaskOutput((record) => router.write(record), (record) => spool.progress(record));

  // Both connections take the same options (address, TLS, API key): sdk/src/temporal/connection.ts.
  const options = connectionOptions(config.temporal);
  const [connection, clientConnection] = await reachTemporal(config.temporal, () =>
    Promise.all([NativeConnection.connect(options), Connection.connect(options)]),
  );
  try {
    await ensureSearchAttributes(clientConnection, config.temporal.namespace);
    const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
    // Refused before anything changes if another live queue serves one of these names.
    const { taskQueue, repository } = config;
    // Refused (TaskQueueTakenError), changing nothing, when the queue serves another repository's flows.
    const takeOvers = await backend.publishFlows(client, { taskQueue, repository, flows: catalogOf(project, taskQueue), rules: declaredRulesOf(project) });
    for (const t of takeOvers) say(`flow ${t.flow}: taken over from task queue ${t.from} (no worker polls it)`);
    const declared = project.flows.map((f) => ({ name: f.name, taskQueue, deployments: f.declaration.deployments ?? [], runTimeout: f.declaration.runTimeout }));
    const catalogFlows = new Set((await backend.flowsOfQueue(taskQueue)).filter((f) => f.repository === repository).map((f) => f.name));
    const owner = { taskQueue, repository, catalogFlows };
    await adoptSchedules(client, owner, declared, takeOvers, say);
    await syncDeployments(client, owner, declared, say);
    const flowsBundle = await bundle;
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.taskQueue,
      workflowBundle: flowsBundle,
      // The flows' own local task that reads the tasks a Python worker published (sdk/src/python-tasks.ts).
      // …and those that reach the limiters of concurrency and rate limits (sdk/src/limits).
      activities: { ...project.activities, [SLUICE_TASK_CATALOG]: taskCatalogOf(backend), ...limitTasksOf(client) },
      shutdownGraceTime: config.shutdownGraceTime,
      // A fan-out starts on this worker in one round trip, without a task queue dispatch and a write per task
      // (200 parallel tasks: 1.15–1.35 → 0.89–0.94 s, `npm run bench:prefect`).
      maxEagerActivityReservationsPerWorkflowTask: config.eagerTasks,
      // A task's and a flow step's log lines are on disk before Temporal records them done (./log-spool.ts).
      interceptors: { activity: [syncSpoolAfterTask(spool)] },
      sinks: flowLoggerSinks(router, spool),
    });
    say(`worker ready: task queue ${taskQueue}${repository ? ` (repository ${repository})` : ''}, flows ${project.flows.map((f) => f.name).join(', ')}`);
    const health =
      config.healthFile &&
      startHealthReports({
        connection: clientConnection,
        namespace: config.temporal.namespace,
        taskQueue: config.taskQueue,
        identity: worker.options.identity,
        file: config.healthFile,
        warn: (m) => process.stderr.write(`health report: ${m}\n`),
      });
    // Beside the worker, not before it: runs the new code can carry go on at once, and the check is bounded.
    const replay = startUpReplay({
      client,
      taskQueue,
      bundle: flowsBundle,
      ...config.replay,
      worker: worker.options.identity,
      report: (input) => backend.reportReplayFindings(input),
      say,
      warn: (m) => process.stderr.write(`${m}\n`),
    });
    try {
      await worker.run();
    } finally {
      replay.stop();
      // It stops between two runs; a report under way is not worth holding the shutdown for long.
      await Promise.race([replay.done, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      if (health) health.stop();
    }
  } finally {
    say(`worker stopped: ${spoolSummary(await spool.close(10_000), config.taskQueue)}`);
    await backend.close();
    await clientConnection.close();
    await connection.close();
  }
}
