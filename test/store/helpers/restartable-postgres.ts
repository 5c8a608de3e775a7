// A private PostgreSQL the test can stop and start again on the same port and data — a real outage of
// the log store. (The suite's shared server cannot be stopped: other test files use it.)
import { spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from 'sluice/internal/dev';
import { spawnManaged, type ManagedChild } from 'sluice/internal/dev';
import { postgresBinDir, waitUntilAccepting } from '../../../scripts/postgres';

export interface RestartablePostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  /** Fast shutdown (connections are cut, like a crash of the database host would). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it and deletes its directory. */
  destroy(): Promise<void>;
}

export async function startRestartablePostgres(): Promise<RestartablePostgres> {
  const bin = postgresBinDir();
  const asRoot = process.getuid?.() === 0;
  const uid = asRoot ? Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim()) : undefined;
  const gid = asRoot ? Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim()) : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'sluice-store-pg-'));
  const data = join(dir, 'data');
  if (uid !== undefined && gid !== undefined) chownSync(dir, uid, gid);
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync'], {
    uid, gid, encoding: 'utf8',
  });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr}`);
  }
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ManagedChild | undefined;

  const start = async () => {
    child = spawnManaged(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off'], {
      uid, gid, stopSignal: 'SIGINT', orphanCleanup: `rm -rf '${dir}'`,
    });
    await waitUntilAccepting(url, child);
  };
  const stop = async () => {
    await child?.stop(15_000);
    child = undefined;
  };
  await start();
  return {
    url,
    start,
    stop,
    destroy: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
