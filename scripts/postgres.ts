import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from 'sluice/internal/dev';
import { spawnManaged, type ManagedChild } from 'sluice/internal/dev';

export interface Postgres {
  /** `postgres://postgres@127.0.0.1:PORT/sluice` (trust auth, loopback only). */
  url: string;
  /** The server's process id (it runs as our child). */
  pid: number;
  /** Its temporary directory (data and socket), deleted by stop(). */
  dir: string;
  /** Stops the server and deletes its directory. */
  stop(): Promise<void>;
}

/** Thrown when PostgreSQL's server binaries cannot be found. */
export class PostgresNotInstalledError extends Error {
  constructor() {
    super(
      'PostgreSQL server binaries (initdb, postgres) not found: looked at `pg_config --bindir`, /usr/lib/postgresql/*/bin and PATH. ' +
        'Install them (Debian: apt-get install postgresql) or point SLUICE_TEST_DATABASE_URL at a running server.',
    );
    this.name = 'PostgresNotInstalledError';
  }
}

/**
 * Starts a throwaway PostgreSQL cluster in a temporary directory, on 127.0.0.1 and a free port,
 * with a database `sluice`. Durability is switched off (fsync=off): this is for tests only.
 *
 * @example
 * const pg = await startPostgres();
 * try { ...pg.url... } finally { await pg.stop(); }
 */
export async function startPostgres(): Promise<Postgres> {
  const bin = postgresBinDir();
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-pg-'));
  const data = join(dir, 'data');
  try {
    if (user) chownSync(dir, user.uid, user.gid);
    run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync', '--no-instructions'], user);
    for (let attempt = 1; ; attempt++) {
      try {
        return await startServer(bin, dir, data, user);
      } catch (err) {
        // Someone took the free port between our check and the server's bind: try another one.
        if (!(err instanceof PortTakenError) || attempt >= 3) throw err;
      }
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

class PortTakenError extends Error {}

async function startServer(bin: string, dir: string, data: string, user: User | undefined): Promise<Postgres> {
  const port = await freePort();
  // The server runs as our own child (not daemonised by pg_ctl) so it stops with us; see orphan-guard.
  const child = spawnManaged(
    join(bin, 'postgres'),
    ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    { uid: user?.uid, gid: user?.gid, stopSignal: 'SIGINT', orphanCleanup: `rm -rf '${dir}'` },
  );
  const base = `postgres://postgres@127.0.0.1:${port}`;
  try {
    await waitUntilAccepting(`${base}/postgres`, child);
    const admin = new Client({ connectionString: `${base}/postgres` });
    await admin.connect();
    try {
      await admin.query('CREATE DATABASE sluice');
    } finally {
      await admin.end();
    }
  } catch (err) {
    await child.stop();
    if (/could not bind|address already in use/i.test(child.recentOutput())) throw new PortTakenError(child.recentOutput());
    throw err;
  }
  return {
    url: `${base}/sluice`,
    pid: child.pid,
    dir,
    stop: async () => {
      await child.stop(15_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once PostgreSQL at `url` accepts connections; rejects when `child` exits first or after 60 s. */
export async function waitUntilAccepting(url: string, child: ManagedChild): Promise<void> {
  let exited = false;
  void child.exited.then(() => (exited = true));
  const deadline = Date.now() + 60_000;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`PostgreSQL exited during start-up. Its output:\n${child.recentOutput()}`);
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (err) {
      lastError = err;
      await client.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`PostgreSQL did not accept connections within 60 s: ${(lastError as Error)?.message}. Its output:\n${child.recentOutput()}`);
}

/** The directory holding initdb and postgres. */
export function postgresBinDir(): string {
  const candidates: string[] = [];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    // pg_config is optional (it comes with libpq-dev)
  }
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(debianRoot, v, 'bin')));
  }
  candidates.push(...(process.env.PATH ?? '').split(':').filter(Boolean));
  const found = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')));
  if (!found) throw new PostgresNotInstalledError();
  return found;
}

interface User {
  uid: number;
  gid: number;
}

// PostgreSQL refuses to run as root; as root, run it as the `postgres` user the package creates.
function serverUser(): User | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error('Running as root, but there is no `postgres` user to run PostgreSQL as (PostgreSQL refuses root). Create one (useradd --system postgres) or run as a normal user.');
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function run(command: string, args: string[], user: User | undefined): void {
  const result = spawnSync(command, args, { uid: user?.uid, gid: user?.gid, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}${result.stderr}`);
  }
}
