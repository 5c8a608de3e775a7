/**
 * Test helpers for a workflow repository. `startTestEnv` runs its flows on a real Temporal dev server through a
 * real `sluice worker`, so a test exercises exactly what production runs — retries, parameters, logs.
 * `startFlowTestEnv` runs one flow's logic with stand-in tasks on a time-skipping server (its timers do not wait);
 * `runTask` runs one task, without Temporal.
 *
 * @example
 * import { startTestEnv } from 'sluice/testing';
 * const env = await startTestEnv();                        // workflows/ and activities/ of this repository
 * try {
 *   const result = await env.run('rainfallSummary', { station: 'DeBilt' });
 *   const lines = await env.logs(result.runId);
 * } finally {
 *   await env.close();
 * }
 */
export { startTestEnv, type TestEnv, type TestEnvOptions, type TestRunResult } from './test-env';
export { startFlowTestEnv, TEST_SERVER_ENV, type FlowTestEnv, type FlowTestEnvOptions } from './flow-test-env';
export { runTask, type TaskTestResult } from './run-task';
