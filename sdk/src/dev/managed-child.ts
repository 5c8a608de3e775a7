import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { guardAgainstOrphan } from './orphan-guard';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedChildOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this user and group (only when this process is root). */
  uid?: number;
  gid?: number;
  /** Receives every output line (stdout and stderr), without the newline. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Appends all output to this file too. */
  logFile?: string;
  /** The polite stop signal; PostgreSQL wants SIGINT ("fast" shutdown), most others SIGTERM. */
  stopSignal?: 'SIGTERM' | 'SIGINT';
  /** Shell command the orphan guard runs after killing the child if this process died first. */
  orphanCleanup?: string;
}

/** A child process in its own process group, stopped with everything it spawned. */
export interface ManagedChild {
  readonly pid: number;
  readonly process: ChildProcess;
  /** Resolves when the child has exited, however that happened. */
  readonly exited: Promise<ExitInfo>;
  /** The last output lines, for error messages. */
  recentOutput(): string;
  /** Stop signal to the whole group, SIGKILL after `timeoutMs`; resolves once it exited. */
  stop(timeoutMs?: number): Promise<ExitInfo>;
}

const live = new Set<number>();
let exitHookInstalled = false;

// Last resort for a normal exit (including process.exit() in a test): kill what is still running.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pgid of live) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/**
 * Spawns `command` detached into its own process group (so a terminal's Ctrl-C does not reach it
 * directly and the owner decides the stop order), guarded against outliving this process.
 *
 * @example const child = spawnManaged('temporal', ['server', 'start-dev'], { onLine: console.log });
 */
export function spawnManaged(command: string, args: string[], options: ManagedChildOptions = {}): ManagedChild {
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    uid: options.uid,
    gid: options.gid,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const first: string[] = [];
  const recent: string[] = [];
  let skipped = false;
  let log: WriteStream | undefined;
  if (options.logFile) log = createWriteStream(options.logFile, { flags: 'a' });

  // 'exit', not 'close': a grandchild holding the pipes open must not hide the leader's death.
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (err) => {
      recent.push(`${command}: ${err.message}`);
      resolve({ code: -1, signal: null });
    });
    child.once('exit', (code, signal) => resolve({ code, signal }));
  }).then((info) => {
    if (child.pid) live.delete(child.pid);
    return info;
  });

  let openStreams = 2;
  for (const stream of ['stdout', 'stderr'] as const) {
    const lines = createInterface({ input: child[stream]!, crlfDelay: Infinity });
    lines.on('line', (line) => {
      // The first lines stay too: a Go panic says what went wrong first, then prints a long stack.
      if (first.length < 10) first.push(line);
      else {
        recent.push(line);
        if (recent.length > 40) {
          recent.shift();
          skipped = true;
        }
      }
      log?.write(line + '\n');
      options.onLine?.(line, stream);
    });
    lines.once('close', () => {
      if (--openStreams === 0) log?.end();
    });
  }

  const pid = child.pid ?? -1;
  if (child.pid) {
    live.add(child.pid);
    installExitHook();
    guardAgainstOrphan(child.pid, {
      signal: options.stopSignal === 'SIGINT' ? 'INT' : 'TERM',
      cleanup: options.orphanCleanup,
    });
  }

  let stopping: Promise<ExitInfo> | undefined;
  const stop = (timeoutMs = 10_000): Promise<ExitInfo> => {
    stopping ??= (async () => {
      if (live.has(pid)) {
        signalGroup(pid, options.stopSignal ?? 'SIGTERM');
        const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      // The leader may exit before its own children (tsx, npx): make sure none is left behind.
      signalGroup(pid, 'SIGKILL');
      return exited;
    })();
    return stopping;
  };

  return { pid, process: child, exited, recentOutput: () => [...first, ...(skipped ? ['…'] : []), ...recent].join('\n'), stop };
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  if (!(pgid > 1)) return; // the spawn failed: there is no group, and -(-1) would mean init
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is already gone
  }
}

/** Whether a process with this pid exists (signal 0 checks without signalling). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
