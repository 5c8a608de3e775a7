/** What a benchmark reports: figures compared with their targets, printed as a table and kept as JSON. */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { machineCpu, stealPercent, type MachineCpu } from './proc';

export interface Metric {
  name: string;
  value: number;
  unit: string;
  /** Human-readable target, e.g. "<= 1.10". */
  target: string;
  /** Whether `value` meets the target; undefined for a figure without a target. Informational only. */
  pass?: boolean;
}

export interface BenchResult {
  name: string;
  metrics: Metric[];
  /** Everything measured (samples, settings), for the JSON file. */
  details: Record<string, unknown>;
}

export const atMost = (value: number, limit: number) => ({ target: `<= ${limit}`, pass: value <= limit });
export const atLeast = (value: number, limit: number) => ({ target: `>= ${limit}`, pass: value >= limit });

export function formatTable(metrics: Metric[]): string {
  const rows = [
    ['metric', 'value', 'target', 'result'],
    ...metrics.map((m) => [m.name, `${formatNumber(m.value)} ${m.unit}`.trim(), m.target, m.pass === undefined ? '' : m.pass ? 'pass' : 'FAIL']),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 1 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function formatNumber(x: number): string {
  const a = Math.abs(x);
  const digits = a >= 100 || Number.isInteger(x) ? 0 : a >= 10 ? 1 : 3;
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Writes bench/results/<time>-<names>.json (git-ignored) and returns its path. */
export function writeResults(results: BenchResult[], meta: Record<string, unknown>): string {
  const dir = path.resolve(__dirname, '../results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(dir, `${stamp}-${results.map((r) => r.name).join('+')}.json`);
  writeFileSync(file, JSON.stringify({ ...meta, results }, null, 2) + '\n');
  return file;
}

/** The machine when a bench run starts, for reportRun: other processes, and other virtual machines, skew every figure. */
export interface RunStart {
  began: number;
  loadAtStart: number;
  cpuAtStart: MachineCpu | undefined;
}

export function startRun(): RunStart {
  return { began: Date.now(), loadAtStart: os.loadavg()[0]!, cpuAtStart: machineCpu() };
}

/**
 * The end of a bench run: the table, the machine's load and the CPU time its host took from it (other
 * processes and other virtual machines skew every figure), and the JSON file with everything measured.
 * `notes` are printed under the table; `meta` goes into the file.
 */
export function reportRun(results: BenchResult[], run: RunStart & { notes?: string[]; meta?: Record<string, unknown> }): void {
  const load = { atStart: run.loadAtStart, atEnd: os.loadavg()[0] };
  const stolenPercent = stealPercent(run.cpuAtStart, machineCpu());
  console.log(`\n${formatTable(results.flatMap((r) => r.metrics))}\n`);
  console.log(`Load average (1 min) on this ${os.cpus().length}-CPU machine: ${load.atStart.toFixed(1)} at start, ${load.atEnd.toFixed(1)} at end.`);
  if (stolenPercent !== undefined) {
    // On a shared virtual machine the host runs other guests on "our" cores: a run with much steal is slower
    // in wall time for reasons that are not the code's.
    console.log(`CPU time the host took from this virtual machine (steal) during the run: ${stolenPercent}% of all cores' time.`);
  }
  for (const note of run.notes ?? []) console.log(note);
  console.log('Targets are informational: a missed one does not fail this command.');
  const file = writeResults(results, {
    date: new Date().toISOString(),
    ...run.meta,
    durationS: Math.round((Date.now() - run.began) / 1000),
    loadAverage1m: load,
    stolenCpuPercent: stolenPercent,
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryMb: Math.round(os.totalmem() / 2 ** 20), node: process.version },
  });
  console.log(`Results: ${path.relative(process.cwd(), file)}`);
}
