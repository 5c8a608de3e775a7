/**
 * A process and its descendants as /proc shows them: resident memory and CPU time of the whole tree; and the
 * machine's own CPU time, with what its host took from it.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';

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
  /**
   * Proportional set size: each resident page divided by the number of processes mapping it, so a tree's sum
   * counts a page its processes share (node's or Python's own code, shared libraries) once. A page shared with a
   * process outside the tree is split with it too, which lowers the figure a little (see bench/README.md).
   */
  pss: number;
  /** Every resident page, shared ones counted in each process (as `ps` shows). */
  rss: number;
  /**
   * The part the processes allocated (heaps, stacks), also counted in each process that shares it. The rest of
   * RSS is program code and libraries mapped from files, which the kernel can drop and read again.
   */
  anonymous: number;
}

/** One process of a tree: its pid, its command line (shortened) and its footprint. */
export interface ProcessFootprint extends Footprint {
  pid: number;
  command: string;
}

/** One process's footprint from /proc/PID/smaps_rollup; undefined when it is gone. */
function footprintOf(pid: number): Footprint | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch {
    return undefined; // gone meanwhile
  }
  const mb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) / 1024;
  return { pss: mb('Pss'), rss: mb('Rss'), anonymous: mb('Anonymous') };
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, 160);
  } catch {
    return '';
  }
}

/** Every process of the tree below `pid` (itself included), with its footprint. */
export function treeProcesses(pid: number): ProcessFootprint[] {
  return processTree(pid).flatMap((p) => {
    const f = footprintOf(p);
    return f ? [{ pid: p, command: commandOf(p), ...f }] : [];
  });
}

/** A tree's resident memory, from /proc/PID/smaps_rollup, summed over its processes. */
export function treeFootprint(pid: number): Footprint {
  return sumFootprints(treeProcesses(pid));
}

export function sumFootprints(parts: Footprint[]): Footprint {
  return parts.reduce((t, f) => ({ pss: t.pss + f.pss, rss: t.rss + f.rss, anonymous: t.anonymous + f.anonymous }), { pss: 0, rss: 0, anonymous: 0 });
}

/**
 * The resident memory of a set of processes with every page counted once, in MB: the page frames their page
 * tables point to (/proc/PID/pagemap), collected into one set. Unlike PSS, a page shared with a process outside
 * the set (node's or Python's code mapped by other programs on the machine) counts in full. Undefined where
 * pagemap shows no page frame numbers (they need CAP_SYS_ADMIN).
 */
export function distinctResidentMb(pids: number[]): number | undefined {
  const frames = new Set<number>();
  const PAGE = 4096;
  const chunk = Buffer.alloc(8 * 4096);
  let readable = false;
  for (const pid of pids) {
    let smaps: string;
    let fd: number;
    try {
      smaps = readFileSync(`/proc/${pid}/smaps`, 'utf8');
      fd = openSync(`/proc/${pid}/pagemap`, 'r');
    } catch {
      continue; // gone meanwhile
    }
    try {
      // Only the mappings with resident pages: V8 and Go reserve far more address space than they use.
      for (const m of smaps.matchAll(/^([0-9a-f]+)-([0-9a-f]+) [^\n]*\n(?:(?![0-9a-f]+-)[^\n]*\n)*?Rss:\s+(\d+) kB/gm)) {
        if (m[3] === '0') continue;
        const first = parseInt(m[1]!, 16) / PAGE;
        const end = parseInt(m[2]!, 16) / PAGE;
        for (let page = first; page < end; page += chunk.length / 8) {
          const n = Math.min(chunk.length / 8, end - page);
          const got = readSync(fd, chunk, 0, n * 8, page * 8) / 8;
          for (let i = 0; i < got; i++) {
            const high = chunk.readUInt32LE(i * 8 + 4);
            if (!(high & 0x80000000)) continue; // not present (or swapped out)
            const frame = (high & 0x7fffff) * 2 ** 32 + chunk.readUInt32LE(i * 8);
            if (frame === 0) continue;
            readable = true;
            frames.add(frame);
          }
        }
      }
    } catch {
      // gone meanwhile
    } finally {
      closeSync(fd);
    }
  }
  return readable ? (frames.size * PAGE) / 2 ** 20 : undefined;
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
