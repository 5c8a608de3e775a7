/**
 * The worker's memory when idle with the examples loaded: `sluice worker` serving workflows/ and activities/,
 * sampled once a second for 10 s after "worker ready"; the last sample is the figure. The child is the node
 * process itself (`node --import tsx`, no wrapper), which is checked.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { freshSqliteUrl, uniqueName, type BenchContext } from './lib/context';
import { atMost, type BenchResult } from './lib/report';
import { ROOT, startSluiceWorker } from './lib/worker-process';

const IDLE_MS = 10_000;
const TARGET_MB = 250;

/** A field of /proc/PID/status in MB (VmRSS: resident now; VmHWM: the highest resident so far). */
function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
  if (!line) throw new Error(`/proc/${pid}/status has no ${field} line`);
  return Number((Number(/(\d+)\s*kB/.exec(line)![1]) / 1024).toFixed(1));
}

/** A child's RSS, or NaN if it exited meanwhile. */
function childRssMb(pid: number): number {
  try {
    return statusMb(pid, 'VmRSS');
  } catch {
    return NaN;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '(gone)';
  }
}

function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        // Field 4 of /proc/PID/stat is the parent pid; the command name (field 2) may hold spaces, so split after it.
        return Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ')[1]) === pid;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

export async function benchWorkerMemory(ctx: BenchContext): Promise<BenchResult> {
  const worker = await startSluiceWorker({
    address: ctx.address,
    taskQueue: uniqueName('bench-memory'),
    storeUrl: freshSqliteUrl(ctx, 'memory'),
    workflows: `${ROOT}/workflows`,
    activities: `${ROOT}/activities`,
  });
  try {
    const cmdline = commandOf(worker.pid).split(' ');
    if (!/node/.test(cmdline[0]) || !cmdline.some((a) => a.endsWith('sluice.js'))) {
      throw new Error(`pid ${worker.pid} is not the node worker process: ${cmdline.join(' ')}`);
    }
    const samples: number[] = [];
    for (let waited = 0; waited < IDLE_MS; waited += 1_000) {
      await new Promise((r) => setTimeout(r, 1_000));
      samples.push(statusMb(worker.pid, 'VmRSS'));
    }
    const rssMb = samples.at(-1)!;
    const peakMb = statusMb(worker.pid, 'VmHWM');
    // Not counted in the figure, but shown: a helper process (tsx's esbuild service, say) is memory the worker costs too.
    const children = childrenOf(worker.pid).map((pid) => ({ pid, command: commandOf(pid), rssMb: childRssMb(pid) }));
    const others = children.map((c) => `${c.command} ${c.rssMb} MB`).join(', ') || 'none';
    ctx.say(`memory: worker pid ${worker.pid} RSS ${rssMb} MB after ${IDLE_MS / 1000} s idle (peak ${peakMb} MB; child processes: ${others})`);
    return {
      name: 'memory',
      metrics: [
        { name: 'worker RSS, idle with the examples', value: rssMb, unit: 'MB', ...atMost(rssMb, TARGET_MB) },
        { name: 'worker peak RSS (start-up: bundling the flows)', value: peakMb, unit: 'MB', target: '' },
      ],
      details: { pid: worker.pid, cmdline, idleMs: IDLE_MS, rssSamplesMb: samples, rssMb, peakMb, childProcesses: children },
    };
  } finally {
    await worker.stop();
  }
}
