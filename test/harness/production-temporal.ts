/**
 * The production Temporal of docker-compose.yml, run natively: the real server, its SQL tool and the UI server
 * built by scripts/temporal-server.sh at the versions of deploy/stack.env, set up and configured from the same
 * files compose mounts (deploy/temporal/*). Only addresses, ports and passwords differ, as between two hosts.
 *
 * @example
 * const temporal = await productionTemporal();
 * await temporal.setupSchemas(db);
 * const server = await temporal.startServer(db);
 */
import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv, promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { connectionOptions, type TemporalAccess } from 'sluice/internal/temporal';
import { findTemporalCli, freePort, isPortFree, spawnManaged, waitForPort, type ManagedChild } from 'sluice/internal/dev';
import { freshTmpDir } from './env';

const ROOT = path.resolve(__dirname, '../..');
export const DEPLOY = path.join(ROOT, 'deploy');
const run = promisify(execFile);

/** A KEY=VALUE file of deploy/ (stack.env, temporal/server.env), as compose's env_file reads it. */
export function readDeployEnv(file: string): Record<string, string> {
  return parseEnv(readFileSync(path.join(DEPLOY, file), 'utf8')) as Record<string, string>;
}

/** Where Temporal's databases are (a throwaway PostgreSQL in tests; `temporal-db` in compose). */
export interface TemporalDb {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface TemporalServer {
  /** `127.0.0.1:PORT` of the frontend (gRPC). */
  address: string;
  /** `http://127.0.0.1:PORT` of the frontend's HTTP API (compose's healthcheck asks it). */
  httpUrl: string;
  /** The server's process id (a new one after restart()); benchmarks read its CPU time and memory. */
  readonly pid: number;
  /** SIGTERM (SIGKILL after 20 s); resolves once it exited. */
  stop(): Promise<void>;
  /** Starts it again with the same configuration and ports; resolves once it answers. */
  restart(): Promise<void>;
}

export interface UiServer {
  /** `http://127.0.0.1:PORT`, for TEMPORAL_UI_UPSTREAM (it serves Temporal Web under /temporal). */
  url: string;
  stop(): Promise<void>;
}

/** Builds (once per machine) or finds the production Temporal; returns what can be done with it. */
export async function productionTemporal() {
  const { stdout } = await run('bash', [path.join(ROOT, 'scripts/temporal-server.sh')], { maxBuffer: 16 * 1024 * 1024 });
  const dir = stdout.trim().split('\n').pop()!;
  const stack = readDeployEnv('stack.env');
  const serverEnv = readDeployEnv('temporal/server.env');

  return {
    dir,
    stack,
    serverBin: path.join(dir, 'server'),

    /** deploy/temporal/setup-schema.sh, as compose's temporal-setup service runs it, with the native tool. */
    async setupSchemas(db: TemporalDb): Promise<string> {
      const { stdout, stderr } = await run('sh', [path.join(DEPLOY, 'temporal/setup-schema.sh')], {
        env: { ...process.env, ...serverEnv, SQL_HOST: db.host, SQL_PORT: String(db.port), SQL_USER: db.user, SQL_PASSWORD: db.password, SQL_TOOL: path.join(dir, 'sql'), SCHEMA_DIR: path.join(dir, 'schema') },
        maxBuffer: 64 * 1024 * 1024,
      });
      return stdout + stderr;
    },

    /**
     * The server on deploy/temporal/production.yaml and dynamicconfig.yaml, as compose's temporal service.
     * `options.env` adds settings of production.yaml (TEMPORAL_FRONTEND_TLS_*: TLS on the frontend), and
     * `options.client` is how to reach it then (TLS files, as TEMPORAL_TLS_* give them to Sluice).
     */
    async startServer(db: TemporalDb, options: { env?: Record<string, string>; client?: Omit<TemporalAccess, 'address'> } = {}): Promise<TemporalServer> {
      const ports = {
        TEMPORAL_FRONTEND_PORT: await freePort(),
        TEMPORAL_FRONTEND_HTTP_PORT: await freePort(),
        TEMPORAL_HISTORY_PORT: await freePort(),
        TEMPORAL_MATCHING_PORT: await freePort(),
        TEMPORAL_WORKER_PORT: await freePort(),
        TEMPORAL_FRONTEND_MEMBERSHIP_PORT: await membershipPort(),
        TEMPORAL_HISTORY_MEMBERSHIP_PORT: await membershipPort(),
        TEMPORAL_MATCHING_MEMBERSHIP_PORT: await membershipPort(),
        TEMPORAL_WORKER_MEMBERSHIP_PORT: await membershipPort(),
      };
      const env = {
        ...withoutTemporalVariables(process.env),
        ...serverEnv,
        ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
        TEMPORAL_DB_HOST: db.host,
        TEMPORAL_DB_PORT: String(db.port),
        TEMPORAL_DB_USER: db.user,
        TEMPORAL_DB_PASSWORD: db.password,
        TEMPORAL_BIND_IP: '127.0.0.1',
        TEMPORAL_DYNAMIC_CONFIG: path.join(DEPLOY, 'temporal/dynamicconfig.yaml'),
        ...options.env,
      };
      const address = `127.0.0.1:${ports.TEMPORAL_FRONTEND_PORT}`;
      const logFile = path.join(freshTmpDir('temporal-server'), 'server.log');
      let child: ManagedChild | undefined;
      const start = async () => {
        child = spawnManaged(path.join(dir, 'server'), ['--root', DEPLOY, '--config', 'temporal', '--env', 'production', 'start'], { env, logFile });
        await waitForFrontend({ ...options.client, address }, child);
      };
      await start();
      return {
        address,
        httpUrl: `http://127.0.0.1:${ports.TEMPORAL_FRONTEND_HTTP_PORT}`,
        get pid() {
          return child!.pid;
        },
        async stop() {
          await child?.stop(20_000);
        },
        async restart() {
          await child?.stop(20_000);
          await start();
        },
      };
    },

    /**
     * deploy/temporal/namespace.sh, as compose's temporal-namespace service runs it, with the Temporal CLI
     * (`cliEnv`: its own TLS settings, e.g. TEMPORAL_TLS_SERVER_CA_CERT_PATH, for a server with TLS).
     */
    async registerNamespace(address: string, cliEnv: Record<string, string> = {}): Promise<string> {
      const { stdout } = await run('sh', [path.join(DEPLOY, 'temporal/namespace.sh')], {
        env: { ...withoutTemporalVariables(process.env), ...stack, ...cliEnv, TEMPORAL_ADDRESS: address, TEMPORAL_CLI: await findTemporalCli() },
      });
      return stdout;
    },

    /**
     * The UI server with the configuration template the temporalio/ui image renders, and the environment
     * compose gives the temporal-ui service (`uiEnv`, its `${NAME:-default}` filled from `dotEnv` as compose fills
     * them from .env), bound to loopback (the image listens inside its container).
     */
    async startUi(address: string, uiEnv: Record<string, string>, dotEnv: Record<string, string> = {}): Promise<UiServer> {
      const config = freshTmpDir('temporal-ui');
      copyFileSync(path.join(dir, 'ui-config/docker.yaml'), path.join(config, 'docker.yaml'));
      appendFileSync(path.join(config, 'docker.yaml'), '\nhost: 127.0.0.1\n');
      const port = await freePort();
      const child = spawnManaged(path.join(dir, `ui-server-${stack.TEMPORAL_UI_VERSION}`), ['--root', config, '--config', '.', '--env', 'docker', 'start'], {
        env: { ...withoutTemporalVariables(process.env), ...interpolate(uiEnv, dotEnv), TEMPORAL_ADDRESS: address, TEMPORAL_UI_PORT: String(port) },
        logFile: path.join(config, 'ui-server.log'),
      });
      let exited = false;
      void child.exited.then(() => (exited = true));
      await waitForPort(port, { timeoutMs: 30_000, gaveUp: () => exited }).catch((err) => {
        throw new Error(`the Temporal UI server did not start: ${(err as Error).message}\n${child.recentOutput()}`);
      });
      return { url: `http://127.0.0.1:${port}`, stop: async () => void (await child.stop(10_000)) };
    },
  };
}

/** Compose's `${NAME}` and `${NAME:-default}` in each value, from `dotEnv` (unset or empty: the default, else ''). */
function interpolate(environment: Record<string, string>, dotEnv: Record<string, string>): Record<string, string> {
  const fill = (value: string) => value.replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (_, name: string, fallback?: string) => dotEnv[name] || fallback || '');
  return Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, fill(String(v))]));
}

// The servers read TEMPORAL_* variables of their own; the suite's (its dev server's address) must not leak in.
function withoutTemporalVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('TEMPORAL_')));
}

/**
 * A free port below 32768: Temporal stores membership ports in a smallint column, so the OS's ephemeral
 * ports (above 32767 on Linux) make the server fail at start-up.
 */
async function membershipPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await isPortFree(port)) return port;
  }
  throw new Error('no free port between 20000 and 32000 for a Temporal membership port');
}

async function waitForFrontend(access: TemporalAccess, child: ManagedChild, timeoutMs = 90_000): Promise<void> {
  const { address } = access;
  let exited = false;
  void child.exited.then(() => (exited = true));
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the Temporal server exited during start-up:\n${child.recentOutput()}`);
    try {
      const connection = await Connection.connect({ ...connectionOptions(access), connectTimeout: '2s' });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`the Temporal server did not answer on ${address} within ${timeoutMs / 1000} s: ${(last as Error)?.message}\n${child.recentOutput()}`);
}
