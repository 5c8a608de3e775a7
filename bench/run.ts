/**
 * `npm run bench [-- overhead|logs|memory ...] [--reps=N]`: starts its own Temporal dev server (and, for the
 * logs, its own PostgreSQL), runs the benchmarks asked for (default: all three), prints a table of the
 * figures against their targets, and writes them to bench/results/ as JSON. These are measurements, not
 * tests: a missed target does not change the exit code.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDevServer } from 'sluice/internal/dev';
import type { BenchContext } from './lib/context';
import { reportRun, startRun, type BenchResult } from './lib/report';
import { benchLatency } from './latency';
import { benchLogTail } from './log-tail';
import { benchLogThroughput } from './log-throughput';
import { benchOverhead } from './overhead';
import { benchPython } from './python';
import { benchWorkerMemory } from './worker-memory';
import { benchVersus } from './versus';
import { benchWorkerApi } from './worker-api';

const BENCHMARKS: Record<string, (ctx: BenchContext) => Promise<BenchResult>> = {
  overhead: benchOverhead,
  latency: benchLatency,
  logs: benchLogThroughput,
  tail: benchLogTail,
  memory: benchWorkerMemory,
  python: benchPython,
  ingest: benchWorkerApi,
  versus: benchVersus,
};

function parseArgs(args: string[]): { names: string[]; reps?: number; baseline?: string } {
  let reps: number | undefined;
  let baseline: string | undefined;
  const names: string[] = [];
  for (const arg of args) {
    const r = /^--reps=(\d+)$/.exec(arg);
    const b = /^--baseline=(.+)$/.exec(arg);
    if (r && Number(r[1]) >= 1) reps = Number(r[1]);
    else if (b) baseline = path.resolve(b[1]!);
    else if (arg in BENCHMARKS) names.push(arg);
    else throw new Error(`Unknown argument ${JSON.stringify(arg)}. Usage: npm run bench -- [${Object.keys(BENCHMARKS).join('|')} ...] [--reps=N] [--baseline=DIR]`);
  }
  if (names.includes('versus') && !baseline) throw new Error('versus needs --baseline=DIR: a built checkout of the Sluice to compare with (bench/README.md)');
  // versus needs a baseline and is not part of a plain `npm run bench`.
  return { names: names.length ? names : Object.keys(BENCHMARKS).filter((n) => n !== 'versus'), reps, baseline };
}

async function main(): Promise<void> {
  const { names, reps, baseline } = parseArgs(process.argv.slice(2));
  const say = (line: string) => process.stderr.write(`[bench] ${line}\n`);
  const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-'));
  const runStart = startRun();
  say(`starting a Temporal dev server (temporary files in ${tmpDir})`);
  const server = await startDevServer();
  const results: BenchResult[] = [];
  try {
    const ctx: BenchContext = { address: server.address, tmpDir, reps, baseline, say };
    for (const name of names) {
      say(`${name}: running`);
      const t0 = Date.now();
      results.push(await BENCHMARKS[name](ctx));
      say(`${name}: done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
  } finally {
    await server.stop();
    rmSync(tmpDir, { recursive: true, force: true });
  }
  reportRun(results, runStart);
}

// Ctrl-C: exit through process.exit so the exit hooks stop the workers and servers this run started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
