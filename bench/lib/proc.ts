/** A process and its descendants as /proc shows them: resident memory and CPU time of the whole tree. */
import { readdirSync, readFileSync } from 'node:fs';

interface Stat {
  ppid: number;
  cpuSeconds: number;
}

function stats(): Map<number, Stat> {
  const out = new Map<number, Stat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      out.set(Number(entry), { ppid: Number(fields[1]), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100 }); // USER_HZ
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

/** CPU seconds (user + system) the tree has used so far. */
export function treeCpuSeconds(pid: number): number {
  const all = stats();
  return processTree(pid, all).reduce((sum, p) => sum + all.get(p)!.cpuSeconds, 0);
}

/** VmRSS of one process in MB (0 once it is gone). */
export function rssMb(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.split(/\s+/)[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Resident memory of the tree in MB: the sum of each process's VmRSS (shared pages count in each, as `ps` does). */
export function treeRssMb(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + rssMb(p), 0);
}
