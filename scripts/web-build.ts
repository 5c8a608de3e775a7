/**
 * The web app's production build (`next build` into web/.next), made only when its sources changed since
 * the last one: `npm start` (scripts/start.ts) and the tests (test/web/harness.ts) both serve it with
 * `next start`. A fingerprint of web/, sdk/ and package-lock.json is kept beside the build
 * (web/.next/sluice-build-stamp).
 *
 * @example
 * const ms = await buildWebApp({ onLine: console.log }); // 0: the last build was reused
 * const unregister = registerWebServer();                // while a `next start` of this build runs
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isProcessAlive, spawnManaged } from 'sluice/internal/dev';

const ROOT = path.resolve(__dirname, '..');
export const WEB_DIR = path.join(ROOT, 'web');
const DIST = path.join(WEB_DIR, '.next');
export const NEXT_BIN = path.join(ROOT, 'node_modules/next/dist/bin/next');
const STAMP = path.join(DIST, 'sluice-build-stamp');
// Shared by every process of this checkout on this machine (`npm start` runs beside tests): a build lock, and
// a folder where each process running a `next start` leaves its pid, so a rebuild waits instead of pulling the
// build out from under a running server. Another checkout has its own build, so its own lock: keyed by the path.
const SHARED = path.join(tmpdir(), `sluice-web-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}`);
const LOCK = path.join(SHARED, 'build.lock');
const SERVERS = path.join(SHARED, 'servers');
/** How long a build may take, and how long a rebuild waits for running servers or another `next build`. */
const PATIENCE_MS = 10 * 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface BuildOptions {
  /** Called once, when a build is needed, before it starts (after any waiting). */
  onBuild?: () => void;
  /** Every line `next build` prints; without it, a failure's error message carries the output. */
  onLine?: (line: string) => void;
  /** Why the build waits (other servers still use the current build), said once per wait. */
  onWait?: (why: string) => void;
  /** Aborting stops a running `next build` and rejects. */
  signal?: AbortSignal;
}

/** `next build` failed; the message says how, and carries its output unless `onLine` already showed it. */
export class WebBuildError extends Error {
  override name = 'WebBuildError';
}

/** What the build depends on: every source file's path, size and time under web/ and sdk/, and the lock file. */
function fingerprint(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (['.next', 'node_modules'].includes(entry.name) || entry.name.endsWith('.tsbuildinfo') || entry.name === 'next-env.d.ts') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const s = statSync(full);
        hash.update(`${path.relative(ROOT, full)}:${s.size}:${s.mtimeMs}\n`);
      }
    }
  };
  walk(WEB_DIR);
  walk(path.join(ROOT, 'sdk'));
  hash.update(readFileSync(path.join(ROOT, 'package-lock.json')));
  return hash.digest('hex');
}

async function withBuildLock<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
  mkdirSync(SHARED, { recursive: true });
  for (;;) {
    signal?.throwIfAborted();
    try {
      mkdirSync(LOCK);
      writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      break;
    } catch {
      const holder = Number(readFileSafe(path.join(LOCK, 'pid')));
      // A lock left by a process that died (or one that has not written its pid for a minute) is stale.
      if ((holder && !isProcessAlive(holder)) || (!holder && Date.now() - statSafe(LOCK) > 60_000)) rmSync(LOCK, { recursive: true, force: true });
      else await sleep(500);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function statSafe(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return Date.now();
  }
}

function otherLiveServers(): number[] {
  mkdirSync(SERVERS, { recursive: true });
  return readdirSync(SERVERS)
    .map(Number)
    .filter((pid) => {
      if (isProcessAlive(pid)) return pid !== process.pid;
      rmSync(path.join(SERVERS, String(pid)), { force: true });
      return false;
    });
}

/**
 * Marks this process as running a `next start` of the current build, so another process's rebuild waits
 * for it (at most 10 minutes). Returns the function that takes the mark away; a process that dies loses it.
 */
export function registerWebServer(): () => void {
  mkdirSync(SERVERS, { recursive: true });
  const marker = path.join(SERVERS, String(process.pid));
  writeFileSync(marker, '');
  return () => rmSync(marker, { force: true });
}

/**
 * Builds the app unless the last build is of the same sources. Returns how long it took (0 when reused).
 * Waits for other processes' running servers before replacing a build they use (at most 10 minutes).
 */
export async function buildWebApp(options: BuildOptions = {}): Promise<number> {
  const { signal } = options;
  return withBuildLock(signal, async () => {
    const wanted = fingerprint();
    if (existsSync(path.join(DIST, 'BUILD_ID')) && readFileSafe(STAMP) === wanted) return 0;
    const deadline = Date.now() + PATIENCE_MS;
    let waitingFor = '';
    for (let others = otherLiveServers(); others.length > 0 && Date.now() < deadline; others = otherLiveServers()) {
      signal?.throwIfAborted();
      const why = `the sources changed, but processes ${others.join(', ')} still serve the current build: waiting (at most 10 minutes) for them to stop`;
      if (why !== waitingFor) options.onWait?.((waitingFor = why));
      await sleep(1000);
    }
    options.onBuild?.();
    // A build stopped halfway must not pass for the last complete one.
    rmSync(STAMP, { force: true });
    const started = Date.now();
    for (;;) {
      signal?.throwIfAborted();
      const { code, output } = await nextBuild(options);
      if (code === 0) break;
      // Someone ran `next build` by hand (Next's own lock): wait for it rather than fail.
      if (/Another next build process is already running/.test(output) && Date.now() < deadline) {
        await sleep(3000);
        continue;
      }
      throw new WebBuildError(`next build failed (${code === null ? 'stopped' : `exit code ${code}`})${options.onLine ? '; its output is above' : `:\n${output}`}`);
    }
    writeFileSync(STAMP, wanted);
    return Date.now() - started;
  });
}

async function nextBuild({ onLine, signal }: BuildOptions): Promise<{ code: number | null; output: string }> {
  const child = spawnManaged(process.execPath, [NEXT_BIN, 'build', WEB_DIR], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
    onLine: onLine ? (line) => onLine(line) : undefined,
  });
  const stop = () => void child.stop(10_000);
  signal?.addEventListener('abort', stop, { once: true });
  const timer = setTimeout(stop, PATIENCE_MS);
  try {
    const { code } = await child.exited;
    signal?.throwIfAborted();
    return { code, output: child.recentOutput() };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', stop);
  }
}
