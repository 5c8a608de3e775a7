/**
 * A real worker process for tests: `sluice worker`, as `npm run worker` starts it, serving the examples or
 * a fixture project on its own task queue, against the suite's Temporal server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { SLUICE_BIN } from 'sluice/internal/dev';
import { migrateStore } from 'sluice/internal/store';
import { temporalAddress, temporalNamespace, testTmpDir } from './env';

const ROOT = path.resolve(__dirname, '../..');

export interface WorkerOptions {
  taskQueue: string;
  /** `sqlite:/path/file.db` or a postgres:// URL (direct mode); ignored with `remote`. */
  storeUrl: string;
  /** Remote mode: the web app's base URL and a worker token, and no DATABASE_URL (as compose and `npm start` run it). */
  remote?: { url: string; token: string };
  /** Workflows / activities modules; default the examples in workflows/ and activities/. */
  workflows?: string;
  activities?: string;
  /** More environment for the worker (e.g. SLUICE_SHUTDOWN_GRACE, fixture settings). */
  env?: Record<string, string>;
}

export interface TestWorker {
  readonly process: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code once it has exited. */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then waits for the exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<number | null>;
  /** kill -9: no shutdown, no flush — a crash. */
  kill9(): Promise<void>;
}

/**
 * Spawns the worker on the store as it is: the worker checks its schema and never migrates it, so a fresh store
 * is refused (use `startWorker`, which migrates first, for a worker that should run).
 */
export function spawnWorker(options: WorkerOptions): TestWorker {
  // In remote mode the worker holds no database URL at all, not even the test suite's own (as in production).
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !(k === 'DATABASE_URL' || (options.remote && /DATABASE_URL/.test(k)))));
  const store = options.remote
    ? { SLUICE_URL: options.remote.url, SLUICE_WORKER_TOKEN: options.remote.token }
    : { DATABASE_URL: options.storeUrl }; // a postgres:// URL, or sqlite:PATH
  const child = spawn(process.execPath, [SLUICE_BIN, 'worker'], {
    cwd: ROOT,
    env: {
      ...inherited,
      ...store,
      TEMPORAL_ADDRESS: temporalAddress(),
      TEMPORAL_NAMESPACE: temporalNamespace(),
      SLUICE_TASK_QUEUE: options.taskQueue,
      SLUICE_WORKFLOWS: options.workflows ?? path.join(ROOT, 'workflows'),
      SLUICE_ACTIVITIES: options.activities ?? path.join(ROOT, 'activities'),
      // The suite's own spool, not the repository's data/ (a subdirectory per task queue keeps files apart).
      SLUICE_SPOOL_DIR: path.join(testTmpDir(), 'spool'),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return trackWorker(child);
}

/** A TestWorker around a spawned worker process (TypeScript or Python): its output, stop and kill -9. */
export function trackWorker(child: ChildProcess): TestWorker {
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Never leave a worker behind when the test process ends early.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  exited.then(() => process.removeListener('exit', reap));

  return {
    process: child,
    output: () => text,
    exited,
    async stop(timeoutMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Spawns a worker and waits until it polls. Bundling the flows takes a few seconds alone, over a minute on
 * 2 cores shared with another test file and a web build: the wait only bounds a worker that never comes up.
 */
export async function startWorker(options: WorkerOptions, timeoutMs = 180_000): Promise<TestWorker> {
  // As `npm start` and compose do: the store is migrated (by its owner) before a worker starts on it.
  await migrateStore(options.storeUrl);
  const worker = spawnWorker(options);
  await waitForOutput(worker, /worker ready/, timeoutMs);
  return worker;
}

/** Waits until the worker's output matches `pattern`; rejects with the output if it exits or time runs out. */
export async function waitForOutput(worker: Pick<TestWorker, 'output' | 'process'>, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(worker.output())) {
    if (worker.process.exitCode !== null || worker.process.signalCode !== null) {
      throw new Error(`the worker exited (${worker.process.exitCode ?? worker.process.signalCode}) before ${pattern}:\n${worker.output()}`);
    }
    if (Date.now() > deadline) throw new Error(`no ${pattern} from the worker within ${timeoutMs} ms:\n${worker.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
