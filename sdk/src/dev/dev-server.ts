import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
// No Temporal client here (./prepare-server.ts loads it when needed): npm start's supervisor imports this module
// and keeps the client out of its memory (prepareInChild).
import { SEARCH_ATTRIBUTES } from '../temporal/search-attributes';
import { freePort } from './free-port';
import { spawnManaged, type ExitInfo } from './managed-child';
import { prepareInChild } from './in-child';
import type { PrepareOptions } from './prepare-server';

/**
 * Absolute path of a usable Temporal CLI, found (or built once per machine) by bin/temporal-cli.sh.
 *
 * @example const temporal = await findTemporalCli();
 */
export function findTemporalCli(): Promise<string> {
  const script = join(__dirname, '..', '..', 'bin', 'temporal-cli.sh');
  return new Promise((resolvePath, reject) => {
    // The build can take minutes: no timeout, and its messages are streamed as they come,
    // except the routine "using ..." line.
    const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const messages: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (line.startsWith('temporal-cli: using ')) return;
      messages.push(line);
      process.stderr.write(line + '\n');
    });
    child.once('error', reject);
    child.once('close', (code) => {
      const path = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !path) reject(new Error(`No Temporal CLI available: bin/temporal-cli.sh failed:\n${messages.join('\n')}`));
      else resolvePath(path);
    });
  });
}

/** SQLite settings of the embedded server's database file (see where they are passed). */
const SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'];

/**
 * Temporal settings that make a sequential task fast. The embedded server gets them as flags; production gets
 * the same values from deploy/temporal/dynamicconfig.yaml (test/deploy checks the two agree).
 * Where each millisecond goes, with and without them: `npm run bench -- latency`.
 */
export const LATENCY_SETTINGS = {
  // Eager activity execution: a task the flow schedules starts on the same worker in the reply to the
  // workflow task, instead of a second trip through the task queue.
  'system.enableActivityEagerExecution': true,
  // The history service hands "a workflow task is due" and "an activity task is due" to matching from each
  // shard's transfer queue, which by default it reads at most 20 times a second: a task completing just
  // after a read waited up to 50 ms (28 ms on average, measured from the server's task_latency_load) before
  // its flow could go on. Reads are triggered by new tasks, so a higher cap costs nothing when idle.
  'history.transferProcessorMaxPollRPS': 1000,
  // One partition per task queue: Sluice's queues carry a few tasks a second, and with the default four a task
  // (a Python task, a task on another worker's queue) can land on a partition whose poller waits on another
  // one, and wait to be forwarded between them.
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
} as const satisfies Record<string, boolean | number>;

export type LatencySetting = keyof typeof LATENCY_SETTINGS;

/**
 * Cores the embedded server's Go scheduler uses (GOMAXPROCS, unless the caller's environment sets it): half the
 * machine's, at least one. It shares the machine with the worker and the web app; with every core its
 * goroutines spread over them, context switches and idle spinning cost more CPU than its work, and a sequential
 * task's every step waits for CPU the worker needed. On 2 cores: server CPU per task 16 → 13 ms, 40 sequential
 * tasks 830 → 560 ms, 200 parallel 5% slower (a bare-SDK worker on a 2-core machine; npm run bench:prefect
 * measures the whole stack).
 */
export function embeddedServerProcs(cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / 2));
}

export interface DevServerOptions {
  /** SQLite file keeping Temporal's state across restarts; in memory when omitted. */
  dbFile?: string;
  /** Frontend gRPC port; a free one when omitted. */
  port?: number;
  /** Temporal Web port; a free one when omitted. */
  uiPort?: number;
  /**
   * Path Temporal Web is served under (`--ui-public-path`), e.g. `/temporal` when the Sluice web app serves it
   * at its own `/temporal` path; `/` when omitted.
   */
  uiPublicPath?: string;
  /** Namespace to create and prepare; `default` when omitted. */
  namespace?: string;
  /** Appends the server's output to this file. */
  logFile?: string;
  /** Receives each output line of the server. */
  onLine?: (line: string) => void;
  /** Days of closed-run history to keep (default 30; the dev server's own default is 1). */
  retentionDays?: number;
  /**
   * LATENCY_SETTINGS to leave at Temporal's defaults, to measure without them (bench/latency.ts). A bare
   * server leaves all of them out.
   */
  without?: readonly LatencySetting[];
  /** Serves the server's Prometheus metrics at http://127.0.0.1:PORT/metrics (`--metrics-port`); none when omitted. */
  metricsPort?: number;
  /** Start the bare server: no --search-attribute flags, no search attributes or retention set, none of LATENCY_SETTINGS. For tests. */
  bare?: boolean;
  /**
   * Wait for the server and prepare it (search attributes, retention) from a short-lived child process, so this
   * process never loads the Temporal client: for a long-lived process that needs no client otherwise (npm start's
   * supervisor).
   */
  prepareInChild?: boolean;
  /** More environment for the server process, e.g. the Go runtime's GOGC; the caller's own wins. */
  env?: Record<string, string>;
}

export interface DevServer {
  /** `127.0.0.1:PORT`, for TEMPORAL_ADDRESS. */
  address: string;
  /** Temporal Web, e.g. `http://127.0.0.1:8233` (with the public path when one was given: `…:8233/temporal`). */
  uiUrl: string;
  namespace: string;
  pid: number;
  /** Resolves if the server process ends (on its own or after stop()). */
  exited: Promise<ExitInfo>;
  /** SIGTERM, SIGKILL after 15 s; resolves once the process is gone. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 120_000;

/**
 * Starts `temporal server start-dev` on 127.0.0.1 with Sluice's search attributes and retention
 * in place, and resolves once its frontend answers.
 *
 * @example
 * const server = await startDevServer();
 * try { ...TEMPORAL_ADDRESS = server.address... } finally { await server.stop(); }
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const cli = await findTemporalCli();
  const namespace = options.namespace ?? 'default';
  if (options.dbFile && !existsSync(dirname(resolve(options.dbFile)))) {
    throw new Error(`startDevServer: the directory of dbFile ${options.dbFile} does not exist; create it first.`);
  }
  // Free ports can be taken by someone else before the server binds them: retry with new ones,
  // unless the caller asked for specific ports.
  const attempts = options.port || options.uiPort ? 1 : 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(cli, namespace, options);
    } catch (err) {
      if (!(err instanceof PortTakenError) || attempt >= attempts) throw err;
    }
  }
}

class PortTakenError extends Error {}

async function startOnce(cli: string, namespace: string, options: DevServerOptions): Promise<DevServer> {
  const port = options.port ?? (await freePort());
  const uiPort = options.uiPort ?? (await freePort());
  const address = `127.0.0.1:${port}`;
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(uiPort), '--log-level', 'warn'];
  const publicPath = (options.uiPublicPath ?? '/').replace(/\/+$/, '');
  if (publicPath && !/^\/[\w\-./]+$/.test(publicPath)) throw new Error(`startDevServer: uiPublicPath ${options.uiPublicPath} must be a path such as /temporal.`);
  if (publicPath) args.push('--ui-public-path', publicPath);
  if (options.dbFile) args.push('--db-filename', resolve(options.dbFile));
  if (options.metricsPort) args.push('--metrics-port', String(options.metricsPort));
  // A database file in WAL mode, synced at checkpoints rather than at every commit: each step of a run is a few
  // commits, and waiting for the disk at each one was a fifth of a sequential task's cost (bench:prefect: 40
  // sequential tasks 1385 → 1118 ms, 200 parallel 2107 → 1346 ms). An application crash loses nothing; a
  // power cut may lose the last moments — acceptable for the embedded default, not a production store.
  if (options.dbFile) for (const pragma of SQLITE_PRAGMAS) args.push('--sqlite-pragma', pragma);
  if (namespace !== 'default') args.push('--namespace', namespace);
  if (!options.bare) {
    for (const name of Object.values(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=Keyword`);
  }
  for (const [key, value] of Object.entries(LATENCY_SETTINGS)) {
    if (options.bare || options.without?.includes(key as LatencySetting)) continue;
    args.push('--dynamic-config-value', `${key}=${value}`);
  }
  // The CLI also reads TEMPORAL_* variables as client settings; keep the caller's out of the server.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TEMPORAL_')));
  for (const [key, value] of Object.entries(options.env ?? {})) env[key] ??= value;
  env.GOMAXPROCS ??= String(embeddedServerProcs());
  // The CLI prints "Server: localhost:PORT" only once ITS server is up. Waiting for that line, not just
  // for the port to answer, avoids mistaking another server on the same port for ours.
  let announced = false;
  const child = spawnManaged(cli, args, {
    env,
    logFile: options.logFile,
    onLine: (line) => {
      if (/^Server:\s+\S+:(\d+)\s*$/.exec(line)?.[1] === String(port)) announced = true;
      options.onLine?.(line);
    },
  });
  const stop = async () => {
    await child.stop(15_000);
  };

  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    let exit: ExitInfo | undefined;
    void child.exited.then((info) => (exit = info));
    const exitedError = () => new Error(`Temporal dev server exited during start-up (code ${exit!.code}, signal ${exit!.signal}). Its output:\n${child.recentOutput()}`);
    while (!announced) {
      if (exit) throw exitedError();
      if (Date.now() > deadline) throw new Error(`Temporal dev server did not say it was up within ${START_TIMEOUT_MS / 1000} s. Its output:\n${child.recentOutput()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const prepare: PrepareOptions = { address, namespace, searchAttributes: !options.bare, retentionDays: options.bare ? undefined : (options.retentionDays ?? 30), timeoutMs: deadline - Date.now() };
    const gone = new AbortController();
    void child.exited.then(() => gone.abort());
    const prepared = options.prepareInChild ? prepareInChild(prepare, gone.signal) : import('./prepare-server.js').then((m) => m.prepareDevServer(prepare, gone.signal));
    await Promise.race([
      prepared.catch((err: Error) => {
        throw new Error(`${err.message}. Its output:\n${child.recentOutput()}`);
      }),
      child.exited.then(() => {
        throw exitedError();
      }),
    ]);
  } catch (err) {
    await stop();
    // The CLI also picks ports of its own (history, matching, worker services) and panics when one is taken
    // between its pick and its bind: that is a port race as well, worth another attempt.
    if (/can't (set|use default) (frontend |frontend HTTP |UI )?port|address already in use|^panic: /im.test(child.recentOutput())) {
      throw new PortTakenError(
        `Temporal dev server could not use its ports (frontend ${port}, Temporal Web ${uiPort}${options.metricsPort ? `, metrics ${options.metricsPort}` : ''}); ` +
          `stop what uses them or choose other ports. Its output:\n${child.recentOutput()}`,
      );
    }
    throw err;
  }
  return { address, uiUrl: `http://127.0.0.1:${uiPort}${publicPath}`, namespace, pid: child.pid, exited: child.exited, stop };
}

