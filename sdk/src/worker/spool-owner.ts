/**
 * Who owns a directory of the log spool. A worker writes `owner.json` (pid, hostname, boot, process start) into
 * its own directory and touches it every few seconds; another worker of the same task queue adopts the directory
 * (drains its lines to the store) only once that owner is dead. On the owner's host that is certain (the pid is
 * gone, or now belongs to a process started later); from another host sharing the volume, the owner is dead once
 * it has not touched the file for `STALE_OWNER_MS`.
 */
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const OWNER_FILE = 'owner.json';
/** How often a live owner touches its file. */
export const OWNER_TOUCH_MS = 10_000;
/** An owner on another host that has not touched its file for this long is dead. */
export const STALE_OWNER_MS = 60_000;

interface Owner {
  pid: number;
  hostname: string;
  /** The kernel's boot id: a pid of an earlier boot is no one. */
  boot?: string;
  /** The process's start (clock ticks since boot, /proc/PID/stat): a pid reused by a later process is no one. */
  processStart?: string;
  startedAt: string;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined; // not Linux, or no such process
  }
}

const bootId = () => readText('/proc/sys/kernel/random/boot_id');

/** Field 22 of /proc/PID/stat (after the command, which may hold spaces and parentheses). */
function processStartOf(pid: number): string | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

/** Writes this process's owner file into `dir`. */
export function writeOwner(dir: string): void {
  const owner: Owner = {
    pid: process.pid,
    hostname: os.hostname(),
    boot: bootId(),
    processStart: processStartOf(process.pid),
    startedAt: new Date().toISOString(),
  };
  writeFileSync(path.join(dir, OWNER_FILE), JSON.stringify(owner) + '\n');
}

/** Marks the owner of `dir` alive now (what another host reads). */
export function touchOwner(dir: string): void {
  const now = new Date();
  try {
    utimesSync(path.join(dir, OWNER_FILE), now, now);
  } catch {
    // the directory is gone (an operator cleared the spool): nothing to keep alive
  }
}

/**
 * Whether the worker that owned `dir` is gone, so its lines may be drained by another. A directory without an
 * owner file was closed by its worker (or never finished being made: those are created under another name).
 */
export function ownerIsDead(dir: string, now = Date.now()): boolean {
  const file = path.join(dir, OWNER_FILE);
  let owner: Owner;
  let touched: number;
  try {
    owner = JSON.parse(readFileSync(file, 'utf8')) as Owner;
    touched = statSync(file).mtimeMs;
  } catch (e) {
    // Missing: closed by its worker. Unreadable (torn by a crash while written): dead too, unless fresh.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
    try {
      return now - statSync(file).mtimeMs > STALE_OWNER_MS;
    } catch {
      return true;
    }
  }
  if (owner.hostname !== os.hostname()) return now - touched > STALE_OWNER_MS;
  if (owner.boot && owner.boot !== bootId()) return true;
  if (owner.pid === process.pid) return owner.processStart !== undefined && owner.processStart !== processStartOf(process.pid);
  if (!pidAlive(owner.pid)) return true;
  const start = processStartOf(owner.pid);
  return owner.processStart !== undefined && start !== undefined && start !== owner.processStart;
}
