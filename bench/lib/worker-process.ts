/**
 * A worker in a child process for the benchmarks: Sluice's own (`sluice worker`, as `npm run worker` starts it)
 * or the bare-SDK one (bench/projects/raw-worker.ts). Both run as `node --import tsx FILE`, so the loader and
 * the Node flags are the same and the child's pid is the node process itself (no wrapper).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { SLUICE_BIN } from 'sluice/internal/dev';
import { migrateStore } from 'sluice/internal/store';

export const ROOT = path.resolve(__dirname, '../..');

export interface WorkerProcess {
  readonly pid: number;
  output(): string;
  /** SIGTERM, then waits for the exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<void>;
}

export interface SpawnOptions {
  /** The entry file, relative to the repository root (or absolute). */
  entry: string;
  /** Arguments after the entry file. */
  args?: string[];
  env: Record<string, string>;
  /** The line that says the worker polls. */
  ready: RegExp;
  readyTimeoutMs?: number;
  /** Extra node flags, e.g. ['--cpu-prof'] to see where a worker's time goes. */
  nodeArgs?: string[];
  /** Another program than node (the Python worker): run as `command ...args`, `entry` unused. */
  command?: string;
}

const live = new Set<ChildProcess>();
// Never leave a worker behind if the bench ends early (an error, Ctrl-C).
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Spawns a worker and resolves once it printed its ready line; rejects with its output if it exits first. */
export async function startWorkerProcess(options: SpawnOptions): Promise<WorkerProcess> {
  const [command, args] = options.command
    ? [options.command, options.args ?? []]
    : [process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', path.resolve(ROOT, options.entry), ...(options.args ?? [])]];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      live.delete(child);
      resolve();
    }),
  );

  const worker: WorkerProcess = {
    pid: child.pid!,
    output: () => text,
    async stop(timeoutMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  while (!options.ready.test(text)) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${options.entry} exited (${child.exitCode ?? child.signalCode}) before it was ready. Its output:\n${text}`);
    }
    if (Date.now() > deadline) {
      await worker.stop();
      throw new Error(`${options.entry} was not ready within ${options.readyTimeoutMs ?? 120_000} ms. Its output:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return worker;
}

/** The environment `sluice worker` reads (sdk/src/worker/config.ts, sdk/src/temporal, sdk/src/store). */
export function sluiceWorkerEnv(o: { address: string; taskQueue: string; storeUrl: string; workflows: string; activities: string }): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: o.address,
    TEMPORAL_NAMESPACE: 'default',
    DATABASE_URL: o.storeUrl,
    SLUICE_TASK_QUEUE: o.taskQueue,
    SLUICE_WORKFLOWS: o.workflows,
    SLUICE_ACTIVITIES: o.activities,
    // The defaults, set so that a caller's environment cannot change what is measured.
    SLUICE_LOG_ECHO: 'WARN',
  };
}

/** Starts Sluice's worker (`sluice worker`) on a project, its store migrated first (the worker only checks it). */
export async function startSluiceWorker(o: Parameters<typeof sluiceWorkerEnv>[0]): Promise<WorkerProcess> {
  await migrateStore(o.storeUrl);
  return startWorkerProcess({ entry: SLUICE_BIN, args: ['worker'], env: sluiceWorkerEnv(o), ready: /worker ready/ });
}
