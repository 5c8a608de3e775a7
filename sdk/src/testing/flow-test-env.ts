/**
 * Tests of one flow's logic, in seconds, without the real tasks and without waiting real time: the flow runs in
 * Temporal's time-skipping test server (a timer of a day fires as soon as nothing else is running), with the
 * tasks you replace by stand-ins. `startTestEnv` is the other kind: the whole repository on a real dev server.
 *
 * The test server is a binary Temporal's SDK downloads once (from GitHub) and caches; set
 * SLUICE_TEST_SERVER to the path of one you have (Temporal's Java test server works too) to use it instead.
 */
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import path from 'node:path';
import { freePort } from '../dev/free-port';
import { spawnManaged, type ManagedChild } from '../dev/managed-child';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { RunFailedError } from '../client/errors';
import { loadProject } from '../worker/project';
import { bundleFlows } from '../worker/bundle';

/**
 * What `startFlowTestEnv` runs: stand-ins for tasks, and where the flows and tasks are.
 *
 * @example
 * const env = await startFlowTestEnv({ tasks: { fetchRainfall: async () => [1, 2, 3] } });
 */
export interface FlowTestEnvOptions {
  /** Stand-ins for tasks, by task name; the tasks not named here run as written. */
  tasks?: Record<string, (...args: any[]) => Promise<unknown>>;
  /** The flows module; default `workflows` in the current directory. */
  workflows?: string;
  /** The tasks module; default `activities` in the current directory. */
  activities?: string;
}

/**
 * A time-skipping test environment: run a flow to its end, read the server's clock, close it.
 *
 * @example
 * const env = await startFlowTestEnv({ tasks: { fetchRainfall: async () => [0, 0, 12] } });
 * try { assert.deepEqual(await env.run('rainfallWatch', { stations: ['DeBilt'] }), { alerts: 1 }); } finally { await env.close(); }
 */
export interface FlowTestEnv {
  /** Runs `flow` to its end and returns what it returned; throws RunFailedError with the readable cause, as `startTestEnv` does. */
  run(flow: string, parameters?: Record<string, unknown>): Promise<unknown>;
  /** The test server's clock now: it jumps ahead when the flows wait. */
  now(): Promise<Date>;
  /** Stops the worker and the test server. */
  close(): Promise<void>;
}

/**
 * Env variable naming the test server executable to run instead of the one Temporal's SDK downloads.
 *
 * @example
 * // SLUICE_TEST_SERVER=~/.cache/temporal-test-server/bin/temporal-test-server npm test
 * console.log(process.env[TEST_SERVER_ENV] ?? 'the SDK downloads its test server');
 */
export const TEST_SERVER_ENV = 'SLUICE_TEST_SERVER';

/**
 * Starts a time-skipping test server and a worker of this repository's flows, with the tasks you replace by
 * stand-ins; a flow's timers fire as soon as nothing else runs, so a flow that waits hours tests in seconds.
 *
 * @example
 * const env = await startFlowTestEnv({ tasks: { fetchRainfall: async () => [0, 0, 12] } });
 * try {
 *   const started = await env.now();
 *   await env.run('rainfallWatch', { stations: ['DeBilt'] });
 *   assert.ok((await env.now()).getTime() - started.getTime() >= 12 * 3600_000); // 12 hours passed on the server's clock
 * } finally { await env.close(); }
 */
export async function startFlowTestEnv(options: FlowTestEnvOptions = {}): Promise<FlowTestEnv> {
  const project = loadProject(path.resolve(options.workflows ?? 'workflows'), path.resolve(options.activities ?? 'activities'));
  const unknown = Object.keys(options.tasks ?? {}).filter((name) => !(name in project.activities));
  if (unknown.length > 0) {
    throw new Error(`startFlowTestEnv: no task called ${unknown.join(', ')} to replace; the tasks are ${Object.keys(project.activities).join(', ')}`);
  }
  const bundle = await bundleFlows(project.workflowsPath, project.taskOptions);
  const executable = process.env[TEST_SERVER_ENV];
  const server = executable ? await startTestServer(executable) : undefined;
  let env: TestWorkflowEnvironment | undefined;
  let worker: Worker;
  const taskQueue = `flow-test-${randomUUID().slice(0, 8)}`;
  try {
    env = server ? await timeSkippingOn(server.address) : await TestWorkflowEnvironment.createTimeSkipping();
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: { ...project.activities, ...options.tasks },
    });
  } catch (err) {
    await env?.teardown();
    await server?.child.stop();
    throw err;
  }
  const testEnv = env;
  const running = worker.run();
  return {
    async run(flow, parameters = {}) {
      try {
        return await testEnv.client.workflow.execute(flow, { args: [parameters], taskQueue, workflowId: `${flow}-${randomUUID()}` });
      } catch (err) {
        throw err instanceof WorkflowFailedError ? runFailedError(err) : err;
      }
    },
    now: async () => new Date(await testEnv.currentTimeMs()),
    async close() {
      worker.shutdown();
      await running;
      await testEnv.teardown();
      await server?.child.stop();
    },
  };
}

/** The failure as the client reads it from a run's history (client/failures.ts): the innermost cause's message first. */
function runFailedError(err: WorkflowFailedError): RunFailedError {
  const chain: Error[] = [];
  for (let c: unknown = err.cause; c instanceof Error; c = c.cause) chain.push(c);
  const typeOf = (e: Error) => (e instanceof ApplicationFailure ? (e.type ?? null) : e instanceof ActivityFailure ? 'TaskFailure' : null);
  const root = chain.at(-1);
  return new RunFailedError('failed', {
    message: root?.message || err.message,
    type: root ? typeOf(root) : null,
    stack: root?.stack ?? null,
    causes: chain.map((e) => ({ message: e.message, type: typeOf(e) })),
  });
}

/**
 * Starts `executable PORT` (how Temporal's SDK starts its own test server) and waits until it accepts
 * connections. Started here rather than by the SDK, which gives a server 5 s: the Java one's JVM takes longer on
 * a busy machine.
 */
async function startTestServer(executable: string): Promise<{ address: string; child: ManagedChild }> {
  const port = await freePort();
  const child = spawnManaged(executable, [String(port)]);
  const deadline = Date.now() + 60_000;
  let exited = false;
  void child.exited.then(() => (exited = true));
  while (!(await accepts(port))) {
    if (exited || Date.now() > deadline) {
      await child.stop();
      throw new Error(`the test server ${executable} (${TEST_SERVER_ENV}) ${exited ? 'exited' : 'did not listen within 60 s'} on port ${port}:\n${child.recentOutput()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { address: `127.0.0.1:${port}`, child };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * The SDK's time-skipping environment on a server started elsewhere. Its public `createFromExistingServer`
 * turns time skipping off, so this takes the way `createTimeSkipping` itself goes, with the server `existing`:
 * `create` is private in the SDK's types, and sluice pins the SDK's exact version.
 */
function timeSkippingOn(address: string): Promise<TestWorkflowEnvironment> {
  const sdk = TestWorkflowEnvironment as unknown as { create(options: object): Promise<TestWorkflowEnvironment> };
  return sdk.create({ server: { type: 'existing' }, address, namespace: 'default', supportsTimeSkipping: true });
}
