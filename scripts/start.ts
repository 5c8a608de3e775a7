// `npm start`: the embedded default. A Temporal dev server keeping its state in the data directory,
// the worker, a Python worker per *.py file beside the tasks (on the task queue named after the file), and the
// web app when web/ exists, in production mode (built first when its sources changed); their output
// line-prefixed; Ctrl-C stops them all.
// This supervisor runs as long as Sluice does, so it keeps little in memory: `npm start` runs it as plain
// JavaScript (bundled by esbuild into dist/start.js, not under tsx), and what needs the store's, the web app's
// or the Temporal client's code runs in short-lived children (scripts/start-setup.ts; the dev server's
// preparation and the wait for the worker: sluice/internal/dev's temporal-child).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { SLUICE_BIN, spawnManaged, startDevServer, waitForPollersInChild, waitForPort, type DevServer, type ExitInfo, type ManagedChild } from 'sluice/internal/dev';
import { pythonEnv, venvPython } from './python-venv';
import type { SetupResult } from './start-setup';
import { buildWebApp, NEXT_BIN, registerWebServer, WEB_DIR, WebBuildError } from './web-build';

const root = resolve(__dirname, '..');

// Python tasks: each *.py module beside the TypeScript tasks (activities/, or the folder SLUICE_ACTIVITIES names or
// its file is in) is served by its own Python worker on the queue named after it.
const pythonDir = ((tasks) => (existsSync(tasks) && statSync(tasks).isDirectory() ? tasks : dirname(tasks)))(resolve(root, process.env.SLUICE_ACTIVITIES?.trim() || 'activities'));
const pythonModules = existsSync(pythonDir) ? readdirSync(pythonDir).filter((f) => f.endsWith('.py')).map((f) => join(pythonDir, f)) : [];
const pythonName = (module: string) => `py:${basename(module, '.py')}`;

// The Node children that run for days (the worker, the web app) in less memory: a young generation of 1 MB
// semi-spaces instead of 16 (V8 grows it under allocation and keeps it), and two malloc arenas instead of one per
// thread (the SDK's Rust core and Node's thread pool each touch their own). Blocks of 128 KB and more are mapped on
// their own and handed back when freed: with glibc's sliding threshold, a burst of runs left them in the heap between
// smaller live blocks, and the worker kept about 120 MB it no longer used (the heap returns only its free top).
// Measured with npm run bench:prefect, idle and after its workloads (bench/README.md). A user's own values win.
const NODE_FLAGS = ['--max-semi-space-size=1'];
const MALLOC_ENV = {
  MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX || '2',
  MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ || String(128 * 1024),
  MALLOC_TRIM_THRESHOLD_: process.env.MALLOC_TRIM_THRESHOLD_ || String(128 * 1024),
};

const NAMES = ['temporal', 'worker', 'web', ...pythonModules.map(pythonName)];
type Name = string;
const width = Math.max(...NAMES.map((n) => n.length)) + 2;
// Every line of a multi-line message gets the prefix, so the output stays one column.
const prefixed = (name: string) => (text: string) =>
  process.stdout.write(text.split('\n').map((line) => `${`[${name}]`.padEnd(width)} ${line}\n`).join(''));
const say = prefixed('start');

let temporal: DevServer | undefined;
const children = new Map<Name, ManagedChild>();
let stopping = false;
let temporalStopping = false;
// Stops what start-up still waits for when Ctrl-C comes: a `next build`, the wait for the worker.
const building = new AbortController();
let unregisterWeb: (() => void) | undefined;
let startWeb = false;

async function main(): Promise<void> {
  const setup = await runSetup();
  if (!setup.ok && setup.settings) {
    console.error(`[start] ${setup.message}`);
    process.exit(1);
  }
  if (!setup.ok) throw new Error(setup.message);
  const { dataDir, ports, webPresent } = setup;
  startWeb = setup.startWeb;
  say(setup.store);

  say(`starting Temporal (state in ${join(dataDir, 'temporal.db')})...`);
  temporal = await startDevServer({
    dbFile: join(dataDir, 'temporal.db'),
    port: ports.temporal,
    uiPort: ports.ui,
    prepareInChild: true,
    // Go collects when its heap has grown by half since the last collection, not doubled: after a burst of runs
    // the server keeps less of the heap it grew (bench/README.md).
    env: { GOGC: '50' },
    // Served to people through the web app's /temporal (log-in, roles); the UI server stays on 127.0.0.1.
    uiPublicPath: '/temporal',
    // While it stops, the server warns about every connection of its own going away: noise.
    onLine: (line) => (temporalStopping && !/level=ERROR/.test(line) ? undefined : prefixed('temporal')(line)),
  });
  watch('temporal', temporal.exited);

  const webUrl = `http://127.0.0.1:${ports.web}`;
  // Temporal Web as people open it: through the web app when it runs, else the UI server itself.
  const temporalWebUrl = startWeb ? `${webUrl}/temporal` : temporal.uiUrl;
  // Every child gets the same absolute settings, whatever directory it works in; this dev server speaks plain
  // gRPC, so TLS settings and an API key meant for another Temporal stay out.
  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !setup.dropEnv.includes(k))),
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    TEMPORAL_WEB_URL: temporalWebUrl,
    TEMPORAL_UI_UPSTREAM: temporal.uiUrl,
    SLUICE_DATA_DIR: dataDir,
    // The web app runs in production mode, which refuses to start without a secret for its session cookies.
    ...(setup.web ? { NEXTAUTH_SECRET: setup.web.secret } : {}),
  };

  const { taskQueue } = setup;
  // With the web app, the worker is its client (remote mode): a worker token for its queues, no database
  // credential — as a team's worker runs in production. Without it, the worker writes to the store itself.
  const workerEnv: NodeJS.ProcessEnv = { ...env };
  if (setup.web) {
    delete workerEnv.DATABASE_URL;
    workerEnv.SLUICE_URL = webUrl;
    workerEnv.SLUICE_WORKER_TOKEN = setup.web.workerToken;
  }
  say(`starting the worker${startWeb ? ` (a client of the web app, with the worker token in ${join(dataDir, 'worker-token')})` : ''}...`);
  const worker = spawnChild('worker', process.execPath, [...NODE_FLAGS, SLUICE_BIN, 'worker'], { ...workerEnv, ...MALLOC_ENV });
  const workerReady = waitForWorker(temporal, taskQueue, worker);
  workerReady.catch(() => undefined); // awaited below, after the web app; not "unhandled" meanwhile

  // Said with the URLs at the end, so the first log-in is not lost in the output above them.
  const logIn = setup.web?.logIn;
  if (startWeb) {
    await buildWeb();
    if (stopping) return;
    say('starting the web app (next start)...');
    unregisterWeb = registerWebServer();
    const web = spawnChild('web', process.execPath, [...NODE_FLAGS, NEXT_BIN, 'start', WEB_DIR, '-p', String(ports.web), '-H', '127.0.0.1'], {
      ...env,
      ...MALLOC_ENV,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
    });
    let webDied = false;
    void web.exited.then(() => (webDied = true));
    await waitForPort(ports.web, { timeoutMs: 180_000, gaveUp: () => webDied || stopping });
  }
  await workerReady;
  if (stopping) return;
  await startPythonWorkers(workerEnv, dataDir);
  if (stopping) return;

  say('Sluice is running:');
  if (startWeb) say(`  web app       ${webUrl}`);
  if (logIn) say(logIn);
  else say(`  web app       (not started: ${webPresent ? 'SLUICE_START_WEB=false' : 'web/next.config.* does not exist yet'})`);
  say(`  Temporal Web  ${temporalWebUrl}${startWeb ? ' (through the web app: log in there first)' : ''}`);
  say(`  Temporal      ${temporal.address} (namespace ${temporal.namespace})`);
  for (const module of pythonModules) say(`  Python tasks  ${module} on task queue ${basename(module, '.py')}`);
  say(`  data          ${dataDir}`);
  say('Press Ctrl-C to stop.');
}

/**
 * The web app's production build, made again only when web/, sdk/ or package-lock.json changed (the same
 * build the tests serve). Its progress goes out prefixed [web], without the route table at its end.
 */
async function buildWeb(): Promise<void> {
  let routeTable = false;
  const builtMs = await buildWebApp({
    signal: building.signal,
    onWait: (why) => say(`web app: ${why}...`),
    onBuild: () => say('building the web app (next build, the first time or after web/ or sdk/ changed; about a minute on 2 cores)...'),
    onLine: (line) => {
      routeTable ||= /^Route \(/.test(line);
      if (!routeTable && line.trim()) prefixed('web')(line);
    },
  }).catch((err: Error) => {
    if (err instanceof WebBuildError) {
      throw new Error(`the web app did not build: ${err.message}. Fix web/, or start without it: SLUICE_START_WEB=false npm start`);
    }
    throw err;
  });
  say(builtMs ? `built the web app in ${Math.round(builtMs / 1000)} s.` : 'reusing the web app\'s build (web/ and sdk/ unchanged since it was made).');
}

/**
 * One Python worker per *.py beside the tasks, in the venv of python/requirements*.txt (made once per machine,
 * minutes the first time) running this checkout's package. Started after the store was migrated (main) and the
 * TypeScript worker is ready. Each is a client of the web app (the worker's SLUICE_URL and token), with its log
 * spool in data/spool. Resolves when each says it is ready.
 */
async function startPythonWorkers(env: NodeJS.ProcessEnv, dataDir: string): Promise<void> {
  if (pythonModules.length === 0) return;
  if (!startWeb) {
    say(`not starting the Python workers (${pythonModules.join(', ')}): they send their lines through the web app, which SLUICE_START_WEB=false leaves out`);
    return;
  }
  say('preparing the Python environment (scripts/venv.sh; the first time takes a few minutes)...');
  const python = venvPython();
  const childEnv = pythonEnv({ SLUICE_SPOOL_DIR: join(dataDir, 'spool'), ...env });
  await Promise.all(
    pythonModules.map((module) => {
      const name = pythonName(module);
      say(`starting the Python worker for ${module}...`);
      return new Promise<void>((resolveReady) => {
        const child = spawnManaged(python, ['-m', 'sluice', 'worker', module, '--task-queue', basename(module, '.py')], {
          env: childEnv,
          cwd: root,
          onLine: (line) => {
            prefixed(name)(line);
            if (/python worker ready/.test(line)) resolveReady();
          },
        });
        children.set(name, child);
        watch(name, child.exited);
        void child.exited.then(() => resolveReady());
      });
    }),
  );
}

// Ready = polling its task queue, as Temporal sees it (bundling the flows takes a while).
async function waitForWorker(server: DevServer, taskQueue: string, worker: ManagedChild): Promise<void> {
  const died = new AbortController();
  void worker.exited.then(() => died.abort());
  const gaveUp = AbortSignal.any([died.signal, building.signal]);
  try {
    const polling = await waitForPollersInChild({ address: server.address, namespace: server.namespace, taskQueue, timeoutMs: 300_000 }, gaveUp);
    if (!polling) say(`the worker is not polling task queue ${taskQueue} after 5 minutes; see its output above.`);
  } catch (err) {
    if (!gaveUp.aborted) throw err;
  }
}

/** scripts/start-setup.ts in a child of its own; its output (warnings) goes out prefixed [start]. */
function runSetup(): Promise<SetupResult> {
  return new Promise((resolveResult, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'start-setup.ts'), JSON.stringify(pythonModules.map((m) => basename(m, '.py')))], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => say(String(d).trimEnd()));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const lines = stdout.trimEnd().split('\n');
      try {
        resolveResult(JSON.parse(lines.at(-1) ?? '') as SetupResult);
      } catch {
        reject(new Error(`scripts/start-setup.ts ended (${signal ?? `exit code ${code}`}) without its result:\n${stdout.trim()}`));
      }
      for (const line of lines.slice(0, -1)) if (line.trim()) say(line);
    });
  });
}

function spawnChild(name: Name, command: string, args: string[], env: NodeJS.ProcessEnv): ManagedChild {
  const child = spawnManaged(command, args, { env, cwd: root, onLine: prefixed(name) });
  children.set(name, child);
  watch(name, child.exited);
  return child;
}

// A child that ends on its own leaves Sluice half-working: say which, stop the rest, fail.
function watch(name: Name, exited: Promise<ExitInfo>): void {
  void exited.then(({ code, signal }) => {
    if (stopping) return;
    say(`${name} exited unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}); stopping the rest.`);
    void shutdown(1);
  });
}

// Worker first (it finishes or hands back its running tasks), then the web app, then Temporal.
// Once only: a Ctrl-C during a shutdown caused by a dead child keeps that shutdown and its exit code.
let shuttingDown: Promise<never> | undefined;
function shutdown(exitCode: number): Promise<never> {
  shuttingDown ??= stopAll(exitCode);
  return shuttingDown;
}

async function stopAll(exitCode: number): Promise<never> {
  stopping = true;
  building.abort();
  const timeouts: Record<string, number> = { worker: 45_000, web: 10_000 };
  for (const name of ['worker', ...pythonModules.map(pythonName), 'web']) {
    const child = children.get(name);
    if (!child) continue;
    say(`stopping ${name}...`);
    await child.stop(timeouts[name] ?? 45_000);
    if (name === 'web') unregisterWeb?.();
  }
  if (temporal) {
    say('stopping temporal...');
    temporalStopping = true;
    await temporal.stop();
  }
  say('stopped.');
  process.exit(exitCode);
}

let signals = 0;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    signals += 1;
    if (signals > 1) {
      // Impatient second Ctrl-C: the exit hook of managed-child kills every process group.
      say('second signal: killing everything now.');
      process.exit(1);
    }
    say(`${signal}: stopping...`);
    void shutdown(0);
  });
}

main().catch((err: Error) => {
  if (stopping) return;
  say(`could not start: ${err.message}`);
  void shutdown(1);
});
