import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SluiceClient } from '../client/sluice-client';
import { MEMO } from '../schedules';
import type { RunRef } from '../client/types';
import { startDevServer, type DevServer } from '../dev/dev-server';
import { SLUICE_BIN } from '../dev/sluice-bin';
import { migrateStore, openStore } from '../store/open-store';
import { parseTemporalConfig, withoutTemporalSecurity } from '../temporal/connection';
import type { StoredLog } from '../store/types';

/**
 * What `startTestEnv` serves: by default this repository's `workflows` and `activities`, on a dev server of its own.
 *
 * @example
 * const env = await startTestEnv({ workflows: 'workflows/index.ts', activities: 'activities/index.ts' } satisfies TestEnvOptions);
 */
export interface TestEnvOptions {
  /** The flows module; default `workflows` in the current directory. */
  workflows?: string;
  /** The tasks module; default `activities` in the current directory. */
  activities?: string;
  /** A Temporal to use instead of starting a dev server; default TEMPORAL_ADDRESS, else a new dev server. */
  temporalAddress?: string;
  /** More environment for the worker. */
  env?: Record<string, string>;
  /** How long the worker may take to start (it bundles the flows); default 120 s. */
  startTimeoutMs?: number;
}

/**
 * A completed test run: its ids and its result.
 *
 * @example
 * const result: TestRunResult = await env.run('rainfallSummary', { station: 'DeBilt' });
 * assert.equal(result.result, 3.4);
 */
export interface TestRunResult {
  workflowId: string;
  runId: string;
  /** What the flow returned. */
  result: unknown;
}

/**
 * A running test environment: run flows, read their logs, use the client; `close()` stops it all.
 *
 * @example
 * let env: TestEnv;
 * before(async () => { env = await startTestEnv(); });
 * after(() => env.close());
 */
export interface TestEnv {
  /** A client on the test's Temporal and store: start runs, read them, read their logs. */
  client: SluiceClient;
  /** The task queue of the test's worker (unique per environment). */
  taskQueue: string;
  /** `host:port` of the Temporal server in use. */
  temporalAddress: string;
  /** Starts a run of `flow` and waits for its result; throws RunFailedError with the readable cause. */
  run(flow: string, parameters?: Record<string, unknown>): Promise<TestRunResult>;
  /**
   * The stored log lines of a run, in order (at most 5000). The worker writes lines in batches, so a
   * line logged at the end of a run may arrive a moment later: pass `until` to wait (up to `timeoutMs`,
   * default 10 s) until the lines satisfy it.
   */
  logs(runId: string, wait?: { until: (lines: StoredLog[]) => boolean; timeoutMs?: number }): Promise<StoredLog[]>;
  /** What the worker printed so far. */
  workerOutput(): string;
  /** Stops the worker, the dev server (if started here), deletes the schedules its deployments made and the temporary store. */
  close(): Promise<void>;
}

/**
 * Starts a dev server (unless one is given), a worker on a unique task queue and a client.
 *
 * @example
 * const env = await startTestEnv();
 * try {
 *   const result = await env.run('rainfallSummary', { station: 'DeBilt' });
 *   const lines = await env.logs(result.runId);
 * } finally {
 *   await env.close();
 * }
 */
export async function startTestEnv(options: TestEnvOptions = {}): Promise<TestEnv> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-test-env-'));
  const storeUrl = `sqlite:${path.join(dir, 'sluice.db')}`;
  const taskQueue = `test-${randomUUID().slice(0, 8)}`;
  let server: DevServer | undefined;
  let worker: ChildProcess | undefined;
  let client: SluiceClient | undefined;
  let output = '';
  let address = options.temporalAddress ?? process.env.TEMPORAL_ADDRESS;
  const cleanup = async () => {
    // Deployments became schedules on the server; on a shared server (TEMPORAL_ADDRESS) they would go on
    // firing runs for a task queue nobody polls any more.
    if (client && !server) await deleteSchedulesOwnedBy(client, taskQueue);
    await client?.close();
    await client?.store.close();
    if (worker && worker.exitCode === null && worker.signalCode === null) {
      const exited = new Promise((r) => worker!.once('exit', r));
      worker.kill('SIGTERM');
      const timer = setTimeout(() => worker!.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await migrateStore(storeUrl); // the test's own store: the worker only checks its schema
    if (!address) {
      server = await startDevServer();
      address = server.address;
    }
    // Its own dev server speaks plain gRPC: TLS settings and an API key meant for another Temporal stay out.
    const inherited = server ? withoutTemporalSecurity(process.env) : process.env;
    worker = spawn(process.execPath, [SLUICE_BIN, 'worker'], {
      env: {
        ...inherited,
        TEMPORAL_ADDRESS: address,
        DATABASE_URL: storeUrl,
        SLUICE_TASK_QUEUE: taskQueue,
        SLUICE_WORKFLOWS: path.resolve(options.workflows ?? 'workflows'),
        SLUICE_ACTIVITIES: path.resolve(options.activities ?? 'activities'),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout!.on('data', (d) => (output += d));
    worker.stderr!.on('data', (d) => (output += d));
    await waitForReady(worker, () => output, options.startTimeoutMs ?? 120_000);
    client = await SluiceClient.connect({ ...(server ? { temporal: parseTemporalConfig({ ...inherited, TEMPORAL_ADDRESS: address }) } : { address }), store: await openStore(storeUrl) });
  } catch (err) {
    await cleanup();
    throw err;
  }
  const sluice = client;
  return {
    client: sluice,
    taskQueue,
    temporalAddress: address!,
    async run(flow, parameters = {}) {
      const ref: RunRef = await sluice.start(flow, parameters, { startedBy: 'test' });
      const result = await sluice.waitForResult(ref);
      return { workflowId: ref.workflowId, runId: ref.runId, result };
    },
    async logs(runId, wait) {
      const deadline = Date.now() + (wait?.timeoutMs ?? 10_000);
      for (;;) {
        const lines = await sluice.readLogs({ runId, limit: 5000 });
        if (!wait || wait.until(lines)) return lines;
        if (Date.now() > deadline) throw new Error(`the log lines of run ${runId} did not arrive within ${wait.timeoutMs ?? 10_000} ms (${lines.length} stored)`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    workerOutput: () => output,
    close: cleanup,
  };
}

async function waitForReady(worker: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const exited = new Promise<never>((_, reject) =>
    worker.once('exit', (code) => reject(new Error(`the worker exited (${code}) before it was ready:\n${output()}`))),
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the worker was not ready within ${timeoutMs} ms:\n${output()}`)), timeoutMs);
  });
  const ready = new Promise<void>((resolve) => {
    const check = () => {
      if (/worker ready/.test(output())) resolve();
    };
    worker.stdout!.on('data', check);
    worker.stderr!.on('data', check);
  });
  try {
    await Promise.race([ready, exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function deleteSchedulesOwnedBy(client: SluiceClient, owner: string): Promise<void> {
  for await (const schedule of client.temporal.schedule.list()) {
    if (schedule.memo?.[MEMO.owner] === owner) await client.temporal.schedule.getHandle(schedule.scheduleId).delete().catch(() => undefined);
  }
}
