/**
 * `npm run bench:web [-- runs-list run-page start log-latency progress-latency notify-burst]`: the web app's benchmarks. Starts its own
 * Temporal dev server, SQLite store, web app (`next start`) and worker, runs the figures asked for (default:
 * all of them), prints them against their targets and writes them to bench/results/ as JSON. Measurements, not
 * tests: a missed target does not change the exit code.
 */
import { reportRun, startRun, type Metric } from '../lib/report';
import { benchLogLatency } from './log-latency';
import { benchNotifyBurst } from './notify-burst';
import { benchProgressLatency } from './progress-latency';
import { benchRunPage } from './run-page';
import { benchRunPageReads } from './run-page-reads';
import { benchRunsList } from './runs-list';
import { startStack, type Stack } from './stack';
import { benchStartLatency } from './start-latency';

type Bench = (stack: Stack, say: (l: string) => void) => Promise<{ metrics: Metric[]; details: Record<string, unknown> }>;

const BENCHMARKS: Record<string, Bench> = {
  'runs-list': benchRunsList,
  'run-page': benchRunPage,
  'run-page-reads': benchRunPageReads,
  start: benchStartLatency,
  'log-latency': benchLogLatency,
  'progress-latency': benchProgressLatency,
  // Not in the default set: it adds 2,000 failed runs to the namespace, which the figures above would count.
  'notify-burst': benchNotifyBurst,
};
const DEFAULT = ['runs-list', 'run-page', 'run-page-reads', 'start', 'log-latency', 'progress-latency'];

function parseArgs(args: string[]): string[] {
  for (const arg of args) {
    if (!(arg in BENCHMARKS)) throw new Error(`Unknown argument ${JSON.stringify(arg)}. Usage: npm run bench:web -- [${Object.keys(BENCHMARKS).join('|')} ...]`);
  }
  return args.length ? args : DEFAULT;
}

async function main(): Promise<void> {
  const names = parseArgs(process.argv.slice(2));
  const say = (line: string) => process.stderr.write(`[bench:web] ${line}\n`);
  const runStart = startRun();
  const stack = await startStack(say);
  const metrics: Metric[] = [];
  const details: Record<string, unknown> = { nextBuildMs: stack.buildMs };
  try {
    for (const name of names) {
      say(`${name}: running`);
      const t0 = Date.now();
      const result = await BENCHMARKS[name](stack, say);
      metrics.push(...result.metrics);
      details[name] = result.details;
      say(`${name}: done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
  } finally {
    await stack.stop();
  }
  reportRun([{ name: 'web', metrics, details }], {
    ...runStart,
    notes: ['TTFB is the first byte of the body; the pages stream (frame and skeleton first), so "whole page" is the page with its data.'],
    meta: { benchmarks: names },
  });
}

// Ctrl-C: exit through process.exit so the exit hooks stop the worker and servers this run started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
