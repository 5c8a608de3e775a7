/**
 * The Python side for tests: the venv scripts/venv.sh makes once per machine (python/requirements*.txt),
 * running this checkout's own package (python/src on PYTHONPATH, never an installed copy), and a real Python
 * worker process (`python -m sluice worker`) against the suite's Temporal server, a client of a real web app's
 * worker API with its own worker token.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { openStore } from 'sluice/internal/store';
import { pythonEnv as checkoutPythonEnv, venvPython } from '../../scripts/python-venv';
import { createApiToken } from '../../web/lib/auth/tokens';
import { freshTmpDir, temporalAddress, temporalNamespace } from './env';
import { uniqueName } from './temporal';
import { trackWorker, waitForOutput, type TestWorker } from './worker';

export const ROOT = path.resolve(__dirname, '../..');
export const PYTHON_FIXTURES = path.join(ROOT, 'test/fixtures/python');

export { venvPython };

/** The environment a Python process of this checkout runs with (the fixtures importable by name). */
export function pythonEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return checkoutPythonEnv({ ...process.env, ...extra }, [PYTHON_FIXTURES]);
}

/**
 * A worker token (role worker) in the web app's store, for the Python queue and the flows' queue: the runs whose
 * lines a Python worker writes are the flows' runs, on the flows' queue.
 */
export async function workerToken(storeUrl: string, taskQueues: string[]): Promise<string> {
  const store = await openStore(storeUrl);
  try {
    return (await createApiToken(store.db, { name: uniqueName('python-worker'), role: 'worker', taskQueues, createdBy: null })).token;
  } finally {
    await store.close();
  }
}

export interface PythonWorkerOptions {
  /** An import name on PYTHONPATH (the fixtures are) or a .py file. */
  module: string;
  taskQueue: string;
  /** The web app (SLUICE_URL) and the worker's token (SLUICE_WORKER_TOKEN). */
  sluiceUrl: string;
  token: string;
  /** SLUICE_SPOOL_DIR; default a fresh folder (give the same to a worker that takes over a dead one's spool). */
  spoolDir?: string;
  env?: Record<string, string>;
}

/** Spawns `python -m sluice worker MODULE --task-queue Q` and waits until it polls. */
export async function startPythonWorker(options: PythonWorkerOptions, timeoutMs = 60_000): Promise<TestWorker> {
  const child = spawn(venvPython(), ['-m', 'sluice', 'worker', options.module, '--task-queue', options.taskQueue], {
    cwd: ROOT,
    env: pythonEnv({
      SLUICE_URL: options.sluiceUrl,
      SLUICE_WORKER_TOKEN: options.token,
      SLUICE_SPOOL_DIR: options.spoolDir ?? freshTmpDir('python-spool'),
      TEMPORAL_ADDRESS: temporalAddress(),
      TEMPORAL_NAMESPACE: temporalNamespace(),
      ...options.env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const worker = trackWorker(child);
  await waitForOutput(worker, /python worker ready/, timeoutMs);
  return worker;
}
