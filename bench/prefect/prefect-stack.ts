/**
 * Prefect 3 as its users run it on one machine: its own server on SQLite (`prefect server start`), and a process
 * serving the comparison flows as deployments (`serve.py`, Prefect's `flow.serve()` for several flows). Runs are
 * started and read through the server's REST API, as Prefect's UI and `run_deployment` do.
 * With options, as a team runs it in production: the server on PostgreSQL (`databaseUrl`) and several processes
 * serving another project's deployments (`serve`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { freePort } from 'sluice/internal/dev';

const HERE = __dirname;

export interface PrefectRun {
  id: string;
}

export interface PrefectStack {
  apiUrl: string;
  serverPid: number;
  /** The first serve process. */
  servePid: number;
  /** Every serve process. */
  servePids: number[];
  /** The environment a Prefect client process needs (PREFECT_API_URL, PREFECT_HOME). */
  env: Record<string, string>;
  api<T = unknown>(method: 'GET' | 'POST', pathname: string, body?: unknown): Promise<T>;
  /** Creates a run of the flow's `bench` deployment, as "Run" in Prefect's UI does. */
  runDeployment(flow: string, parameters: Record<string, unknown>): Promise<PrefectRun>;
  /** Polls the run every 25 ms until it is final; throws unless it completed. */
  waitForRun(run: PrefectRun, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * One HTTP request on a connection of its own: Prefect's server (uvicorn) closes idle keep-alive connections
 * after 5 s, and a request sent on one just as it closes fails with "other side closed".
 */
class BusyError extends Error {}

function request<T>(url: string, method: string, body?: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(url, { method, agent: false, headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 503) reject(new BusyError(text));
        else if ((res.statusCode ?? 500) >= 300) reject(new Error(`Prefect ${method} ${url}: ${res.statusCode} ${text.slice(0, 500)}`));
        else resolve(JSON.parse(text || 'null') as T);
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A Python child in its own process group, so stopping it stops what it spawned (uvicorn, flow runs). */
function spawnPython(python: string, args: string[], env: Record<string, string>, output: string[], cwd = HERE): ChildProcess {
  const child = spawn(python, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout!.on('data', (d) => output.push(String(d)));
  child.stderr!.on('data', (d) => output.push(String(d)));
  const reap = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', reap);
  return child;
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  }, 10_000);
  await exited;
  clearTimeout(timer);
}

export interface PrefectOptions {
  /** A PostgreSQL database for the server (`postgres://…/db`, made asyncpg's URL here); default SQLite in tmpDir. */
  databaseUrl?: string;
  /** Another serve script than serve.py and its deployments, in `processes` processes (default 1). */
  serve?: { script: string; deployments: string[]; processes?: number; env?: Record<string, string> };
}

const COMPARISON_DEPLOYMENTS = ['sequential', 'parallel', 'first-task', 'log-lines'];

export async function startPrefect(python: string, tmpDir: string, say: (l: string) => void, options: PrefectOptions = {}): Promise<PrefectStack> {
  const home = path.join(tmpDir, 'prefect-home');
  mkdirSync(home, { recursive: true });
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}/api`;
  const env = {
    PREFECT_HOME: home,
    PREFECT_API_URL: apiUrl,
    PREFECT_API_DATABASE_CONNECTION_URL: options.databaseUrl
      ? options.databaseUrl.replace(/^postgres(ql)?:/, 'postgresql+asyncpg:')
      : `sqlite+aiosqlite:///${path.join(tmpDir, 'prefect.db')}`,
    PREFECT_SERVER_ANALYTICS_ENABLED: 'false',
    DO_NOT_TRACK: '1',
  };
  const output: string[] = [];
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const c of children.reverse()) await stopGroup(c);
  };
  // Prefect answers 503 while its SQLite database is busy (the request did nothing): ask again, as its client does.
  const api = async <T>(method: 'GET' | 'POST', pathname: string, body?: unknown): Promise<T> => {
    for (const deadline = Date.now() + 60_000; ; await sleep(250)) {
      try {
        return await request<T>(`${apiUrl}${pathname}`, method, body);
      } catch (err) {
        if (!(err instanceof BusyError) || Date.now() > deadline) throw err;
      }
    }
  };
  try {
    say(`prefect: starting its server on ${options.databaseUrl ? 'PostgreSQL' : 'SQLite'} (port ${port})`);
    const server = spawnPython(python, ['-m', 'prefect', 'server', 'start', '--host', '127.0.0.1', '--port', String(port)], env, output);
    children.push(server);
    for (const deadline = Date.now() + 180_000; ; await sleep(250)) {
      if (server.exitCode !== null) throw new Error(`prefect server exited (${server.exitCode}):\n${output.join('').slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`prefect server did not answer within 3 minutes:\n${output.join('').slice(-3000)}`);
      if (await api('GET', '/health').then(() => true, () => false)) break;
    }
    const script = options.serve?.script ?? 'serve.py';
    const serves: ChildProcess[] = [];
    for (let i = 0; i < (options.serve?.processes ?? 1); i++) {
      say(`prefect: serving the flows (${path.basename(script)}, process ${i + 1})`);
      const serve = spawnPython(python, [path.basename(script)], { ...env, ...options.serve?.env }, output, path.dirname(path.resolve(HERE, script)));
      children.push(serve);
      serves.push(serve);
    }
    const deployments = new Map<string, string>();
    for (const flow of options.serve?.deployments ?? COMPARISON_DEPLOYMENTS) {
      for (const deadline = Date.now() + 180_000; !deployments.has(flow); await sleep(250)) {
        const exited = serves.find((c) => c.exitCode !== null);
        if (exited) throw new Error(`${script} exited (${exited.exitCode}):\n${output.join('').slice(-3000)}`);
        if (Date.now() > deadline) throw new Error(`deployment ${flow}/bench did not appear within 3 minutes:\n${output.join('').slice(-3000)}`);
        const found = await api<{ id: string }>('GET', `/deployments/name/${flow}/bench`).catch(() => undefined);
        if (found) deployments.set(flow, found.id);
      }
    }
    return {
      apiUrl,
      serverPid: server.pid!,
      servePid: serves[0]!.pid!,
      servePids: serves.map((c) => c.pid!),
      env,
      api,
      async runDeployment(flow, parameters) {
        const id = deployments.get(flow.replace(/_/g, '-'));
        if (!id) throw new Error(`no deployment of ${flow}`);
        return api<PrefectRun>('POST', `/deployments/${id}/create_flow_run`, { parameters });
      },
      async waitForRun(run, timeoutMs = 300_000) {
        for (const deadline = Date.now() + timeoutMs; ; await sleep(25)) {
          const { state } = await api<{ state: { type: string; message?: string } | null }>('GET', `/flow_runs/${run.id}`);
          if (state?.type === 'COMPLETED') return;
          if (state && ['FAILED', 'CRASHED', 'CANCELLED'].includes(state.type)) throw new Error(`Prefect run ${run.id} ${state.type}: ${state.message ?? ''}\n${output.join('').slice(-3000)}`);
          if (Date.now() > deadline) throw new Error(`Prefect run ${run.id} not done after ${timeoutMs} ms (state ${state?.type})`);
        }
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
