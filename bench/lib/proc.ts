/**
 * A process and its descendants as /proc shows them: resident memory and CPU time of the whole tree; and the
 * machine's own CPU time, with what its host took from it.
 */
import { readdirSync, readFileSync } from 'node:fs';

interface Stat {
  ppid: number;
  cpuSeconds: number;
  /** CPU time of its children that exited and were waited for (no longer in any tree). */
  reapedCpuSeconds: number;
}

function stats(): Map<number, Stat> {
  const out = new Map<number, Stat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      out.set(Number(entry), { ppid: Number(fields[1]), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100, reapedCpuSeconds: (Number(fields[13]) + Number(fields[14])) / 100 }); // USER_HZ
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** `pid` and every process below it. */
export function processTree(pid: number, all = stats()): number[] {
  const tree = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [p, s] of all) if (!tree.has(p) && tree.has(s.ppid)) (tree.add(p), (grew = true));
  }
  return [...tree].filter((p) => all.has(p));
}

/**
 * CPU seconds (user + system) the tree has used so far; with `reaped`, also what its processes' exited children
 * used (a server forking short-lived workers, as PostgreSQL does a backend per connection).
 */
export function treeCpuSeconds(pid: number, reaped = false): number {
  const all = stats();
  return processTree(pid, all).reduce((sum, p) => sum + all.get(p)!.cpuSeconds + (reaped ? all.get(p)!.reapedCpuSeconds : 0), 0);
}

/** Resident memory in MB. */
export interface Footprint {
  /** Every resident page, shared ones counted in each process (as `ps` shows). */
  rss: number;
  /**
   * The part the processes allocated (heaps, stacks). The rest is program code and libraries mapped from files,
   * which the kernel can drop and read again.
   */
  anonymous: number;
}

/**
 * A tree's resident memory, from /proc/PID/smaps_rollup, summed over its processes. (Not PSS: that would split
 * a shared page with processes outside the tree, such as the benchmark's own node.)
 */
export function treeFootprint(pid: number): Footprint {
  const total: Footprint = { rss: 0, anonymous: 0 };
  for (const p of processTree(pid)) {
    let text: string;
    try {
      text = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    total.rss += kb('Rss') / 1024;
    total.anonymous += kb('Anonymous') / 1024;
  }
  return total;
}

/** The machine's CPU time so far, all cores, in USER_HZ ticks (the first line of /proc/stat). */
export interface MachineCpu {
  total: number;
  /** Time the hypervisor ran something else while this virtual machine wanted the CPU. */
  steal: number;
}

/** undefined where there is no /proc/stat (not Linux). */
export function machineCpu(): MachineCpu | undefined {
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/);
    const ticks = fields.map(Number);
    // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
    return { total: ticks.slice(0, 8).reduce((a, b) => a + b, 0), steal: ticks[7] ?? 0 };
  } catch {
    return undefined;
  }
}

/** The share of all cores' time between two readings that the host took (steal), in %; undefined without both. */
export function stealPercent(from: MachineCpu | undefined, to: MachineCpu | undefined): number | undefined {
  if (!from || !to || to.total <= from.total) return undefined;
  return Number(((100 * (to.steal - from.steal)) / (to.total - from.total)).toFixed(1));
}
