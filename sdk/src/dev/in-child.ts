/**
 * The Temporal-client work of ./temporal-child.ts, started from a process that keeps the client out of its own
 * memory. No Temporal client import here.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { PrepareOptions } from './prepare-server';

/** Exit code of `temporal-child.js wait-for-pollers` when no worker polled in time. */
export const NO_POLLERS = 2;

function runChild(args: string[], signal?: AbortSignal): Promise<number> {
  return new Promise((resolveCode, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'temporal-child.js'), ...args], { stdio: ['ignore', 'ignore', 'pipe'], signal });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 || code === NO_POLLERS ? resolveCode(code) : reject(new Error(stderr.trim() || `temporal-child.js ${args[0]} exited with code ${code}`))));
  });
}

/** prepareDevServer in `node temporal-child.js prepare`; rejects with what it said when it fails. */
export async function prepareInChild(options: PrepareOptions, signal?: AbortSignal): Promise<void> {
  await runChild(['prepare', JSON.stringify(options)], signal);
}

/**
 * Resolves true once a worker polls `taskQueue`'s flows (workflow tasks), as Temporal sees it; false after
 * `timeoutMs`. Aborting `signal` stops the wait (and rejects).
 *
 * @example if (!(await waitForPollersInChild({ address, namespace, taskQueue, timeoutMs: 300_000 }))) say('not polling yet');
 */
export async function waitForPollersInChild(o: { address: string; namespace: string; taskQueue: string; timeoutMs: number }, signal?: AbortSignal): Promise<boolean> {
  return (await runChild(['wait-for-pollers', JSON.stringify(o)], signal)) === 0;
}
