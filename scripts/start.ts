// `npm start`: the embedded default. A Temporal dev server keeping its state in the data directory,
// the worker, a Python worker per activities/*.py file (on the task queue named after the file), and the web
// app when web/ exists, in production mode (built first when its sources changed); their output
// line-prefixed; Ctrl-C stops them all.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { connect, withoutTemporalSecurity } from 'sluice/internal/temporal';
import { z } from 'zod';
import { migrateStore, openStore, storeUrlFromEnv } from 'sluice/internal/store';
import { ensureFirstAdmin, firstAdminMessage } from '../web/lib/auth/first-admin';
import { workerConfigFromEnv } from 'sluice/internal/worker';
import { SLUICE_BIN } from 'sluice/internal/dev';
import { startDevServer, type DevServer } from 'sluice/internal/dev';
import { isPortFree, waitForPort } from 'sluice/internal/dev';
import { spawnManaged, type ExitInfo, type ManagedChild } from 'sluice/internal/dev';
import { pythonEnv, venvPython } from './python-venv';
import { ensureWorkerToken } from './worker-token';
import { buildWebApp, NEXT_BIN, registerWebServer, WEB_DIR, WebBuildError } from './web-build';

const root = resolve(__dirname, '..');

const port = z.coerce.number().int().min(1).max(65535);
const settings = z
  .object({
    SLUICE_DATA_DIR: z.string().trim().min(1).default('./data'),
    SLUICE_TEMPORAL_PORT: port.default(7233),
    SLUICE_TEMPORAL_UI_PORT: port.default(8233),
    SLUICE_WEB_PORT: port.default(3000),
    // "false" runs Temporal and the worker only (the web app served some other way, or not at all).
    SLUICE_START_WEB: z.enum(['true', 'false', '1', '0']).default('true').transform((v) => v === 'true' || v === '1'),
  })
  .safeParse(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== '')));
if (!settings.success) {
  const lines = settings.error.issues.map((i) => `  ${i.path.join('.')}=${process.env[String(i.path[0])]}: ${i.message}`);
  console.error(`[start] Invalid settings in the environment:\n${lines.join('\n')}`);
  process.exit(1);
}
const config = settings.data;
const dataDir = resolve(config.SLUICE_DATA_DIR);
const webPresent = existsSync(join(root, 'web')) && readdirSync(join(root, 'web')).some((f) => f.startsWith('next.config.'));
const startWeb = webPresent && config.SLUICE_START_WEB;

// Python tasks: each activities/*.py module is served by its own Python worker on the queue named after it.
const pythonModules = existsSync(join(root, 'activities'))
  ? readdirSync(join(root, 'activities')).filter((f) => f.endsWith('.py')).map((f) => join(root, 'activities', f))
  : [];
const pythonName = (module: string) => `py:${basename(module, '.py')}`;

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
// Stops a `next build` still running when Ctrl-C comes.
const building = new AbortController();
let unregisterWeb: (() => void) | undefined;

async function main(): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  await requireFreePorts();
  // Before anything starts: the worker and the Python workers only check the schema (the web app would migrate
  // too, but starts last).
  const { where, migrated, applied } = await migrateStore(storeUrlFromEnv({ ...process.env, SLUICE_DATA_DIR: dataDir }));
  say(`store ${where}: ${migrated.length ? `migrated to ${applied.at(-1)}` : `up to date (${applied.at(-1)})`}`);

  say(`starting Temporal (state in ${join(dataDir, 'temporal.db')})...`);
  temporal = await startDevServer({
    dbFile: join(dataDir, 'temporal.db'),
    port: config.SLUICE_TEMPORAL_PORT,
    uiPort: config.SLUICE_TEMPORAL_UI_PORT,
    // Served to people through the web app's /temporal (log-in, roles); the UI server stays on 127.0.0.1.
    uiPublicPath: '/temporal',
    // While it stops, the server warns about every connection of its own going away: noise.
    onLine: (line) => (temporalStopping && !/level=ERROR/.test(line) ? undefined : prefixed('temporal')(line)),
  });
  watch('temporal', temporal.exited);

  const webUrl = `http://127.0.0.1:${config.SLUICE_WEB_PORT}`;
  // Temporal Web as people open it: through the web app when it runs, else the UI server itself.
  const temporalWebUrl = startWeb ? `${webUrl}/temporal` : temporal.uiUrl;
  // Every child gets the same absolute settings, whatever directory it works in; this dev server speaks plain
  // gRPC, so TLS settings and an API key meant for another Temporal stay out.
  const env: NodeJS.ProcessEnv = {
    ...withoutTemporalSecurity(process.env),
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    TEMPORAL_WEB_URL: temporalWebUrl,
    TEMPORAL_UI_UPSTREAM: temporal.uiUrl,
    SLUICE_DATA_DIR: dataDir,
    // The web app runs in production mode, which refuses to start without a secret for its session cookies.
    ...(startWeb ? { NEXTAUTH_SECRET: webSecret() } : {}),
  };

  const { taskQueue } = workerConfigFromEnv(env);
  // With the web app, the worker is its client (remote mode): a worker token for its queues, no database
  // credential — as a team's worker runs in production. Without it, the worker writes to the store itself.
  const workerEnv: NodeJS.ProcessEnv = { ...env };
  if (startWeb) {
    delete workerEnv.DATABASE_URL;
    workerEnv.SLUICE_URL = webUrl;
    // The Python tasks' lines belong to runs of the worker's flows, so one token serves the queues of both.
    workerEnv.SLUICE_WORKER_TOKEN = await ensureWorkerToken(storeUrlFromEnv(env), dataDir, [taskQueue, ...pythonModules.map((m) => basename(m, '.py'))]);
  }
  say(`starting the worker${startWeb ? ` (a client of the web app, with the worker token in ${join(dataDir, 'worker-token')})` : ''}...`);
  const worker = spawnChild('worker', process.execPath, [SLUICE_BIN, 'worker'], workerEnv);
  const workerReady = waitForWorker(temporal, taskQueue, worker);
  workerReady.catch(() => undefined); // awaited below, after the web app; not "unhandled" meanwhile

  // Said with the URLs at the end, so the first log-in is not lost in the output above them.
  const logIn = startWeb ? await firstLogIn(env) : undefined;
  if (startWeb) {
    await buildWeb();
    if (stopping) return;
    say('starting the web app (next start)...');
    unregisterWeb = registerWebServer();
    const web = spawnChild('web', process.execPath, [NEXT_BIN, 'start', WEB_DIR, '-p', String(config.SLUICE_WEB_PORT), '-H', '127.0.0.1'], { ...env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' });
    let webDied = false;
    void web.exited.then(() => (webDied = true));
    await waitForPort(config.SLUICE_WEB_PORT, { timeoutMs: 180_000, gaveUp: () => webDied || stopping });
  }
  await workerReady;
  if (stopping) return;
  await startPythonWorkers(workerEnv);
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
 * The web app's NEXTAUTH_SECRET when the environment sets none: made once per data directory (its
 * sessions then outlive a restart) and kept there, readable by this user only.
 */
function webSecret(): string {
  if (process.env.NEXTAUTH_SECRET?.trim()) return process.env.NEXTAUTH_SECRET.trim();
  const file = join(dataDir, 'web-secret');
  try {
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return readFileSync(file, 'utf8').trim();
}

/**
 * One Python worker per activities/*.py, in the venv of python/requirements*.txt (made once per machine,
 * minutes the first time) running this checkout's package. Started after the store was migrated (main) and the
 * TypeScript worker is ready. Each is a client of the web app (the worker's SLUICE_URL and token), with its log
 * spool in data/spool. Resolves when each says it is ready.
 */
async function startPythonWorkers(env: NodeJS.ProcessEnv): Promise<void> {
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
  let died = false;
  void worker.exited.then(() => (died = true));
  const connection = await connect({ address: server.address });
  try {
    const deadline = Date.now() + 300_000;
    while (!died && !stopping) {
      const { pollers } = await connection.workflowService.describeTaskQueue({
        namespace: server.namespace,
        taskQueue: { name: taskQueue },
        taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
      });
      if (pollers.length > 0) return;
      if (Date.now() > deadline) {
        say(`the worker is not polling task queue ${taskQueue} after 5 minutes; see its output above.`);
        return;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await connection.close();
  }
}

async function requireFreePorts(): Promise<void> {
  const wanted: [string, string, number][] = [
    ['Temporal', 'SLUICE_TEMPORAL_PORT', config.SLUICE_TEMPORAL_PORT],
    ['Temporal Web', 'SLUICE_TEMPORAL_UI_PORT', config.SLUICE_TEMPORAL_UI_PORT],
  ];
  if (startWeb) wanted.push(['the web app', 'SLUICE_WEB_PORT', config.SLUICE_WEB_PORT]);
  for (const [what, variable, p] of wanted) {
    if (!(await isPortFree(p))) {
      throw new Error(
        `Port ${p} (for ${what}) is already in use on 127.0.0.1 - is another \`npm start\` or Temporal running? ` +
          `Stop it, or choose another port with ${variable}=...`,
      );
    }
  }
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

/**
 * How to log in: on a fresh data folder the first admin is created here (the web app would do the same at
 * its start-up), and its password is shown this once.
 */
async function firstLogIn(env: NodeJS.ProcessEnv): Promise<string> {
  const store = await openStore(storeUrlFromEnv(env));
  try {
    const admin = await ensureFirstAdmin(store.db, {
      email: (env.SLUICE_ADMIN_EMAIL?.trim() || 'admin@localhost').toLowerCase(),
      password: env.SLUICE_ADMIN_PASSWORD?.trim() || null,
    });
    return admin.created
      ? firstAdminMessage(admin).trim().replace(/^\[sluice\] /, '  ')
      : '  log in        with your user (add one: npm run user -- add EMAIL --role admin)';
  } finally {
    await store.close();
  }
}
