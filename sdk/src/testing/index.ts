/**
 * Test helper for a workflow repository: runs its flows on a real Temporal dev server through a real
 * `sluice worker`, so a test exercises exactly what production runs — retries, parameters, logs.
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
