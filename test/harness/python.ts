/**
 * The Python side for tests: the venv scripts/venv.sh makes once per machine (python/requirements*.txt),
 * running this checkout's own package (python/src on PYTHONPATH, never an installed copy), and a real Python
 * worker process (`python -m sluice worker`) against the suite's Temporal server.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { pythonEnv as checkoutPythonEnv, venvPython } from '../../scripts/python-venv';
import { temporalAddress, temporalNamespace } from './env';
import { trackWorker, waitForOutput, type TestWorker } from './worker';

export const ROOT = path.resolve(__dirname, '../..');
export const PYTHON_FIXTURES = path.join(ROOT, 'test/fixtures/python');

export { venvPython };

/** The environment a Python process of this checkout runs with (the fixtures importable by name). */
export function pythonEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return checkoutPythonEnv({ ...process.env, ...extra }, [PYTHON_FIXTURES]);
}

export interface PythonWorkerOptions {
  /** An import name on PYTHONPATH (the fixtures are) or a .py file. */
  module: string;
  taskQueue: string;
  storeUrl: string;
  env?: Record<string, string>;
}

/** Spawns `python -m sluice worker MODULE --task-queue Q` and waits until it polls. */
export async function startPythonWorker(options: PythonWorkerOptions, timeoutMs = 60_000): Promise<TestWorker> {
  const child = spawn(venvPython(), ['-m', 'sluice', 'worker', options.module, '--task-queue', options.taskQueue], {
    cwd: ROOT,
    env: pythonEnv({
      DATABASE_URL: options.storeUrl,
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
