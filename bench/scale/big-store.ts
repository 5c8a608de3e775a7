/**
 * `npm run bench:bigstore [-- --runs=100000 --lines=10000000 --samples=40]`: a big store stays fast. On the production
 * topology (big-store-stack.ts: Temporal on PostgreSQL, Sluice's store on PostgreSQL, the web app in production
 * mode), seeds a year of use (big-store-seed.ts: 100,000 runs in Temporal's visibility, 10 million log lines), then:
 * - times the pages a signed-in viewer opens, as the browser asks for them: the home page, the runs list (first
 *   page, and filtered by flow and status), a run page of the run with the most lines, that run's newest lines
 *   (the log viewer's first request) and the first request of a search in them (a phrase found a few times only,
 *   and a common one whose matches all lie in the run's oldest 40%);
 * - times those two searches whole, as the log viewer makes them: requests from the cursor each answer gives until
 *   a page of 1,000 matches or the run's first line (every request, the whole search, how many requests);
 * - times storing a log batch (`store.insertLogs`, 500 lines, as the worker API does) while idle and while a
 *   retention sweep deletes the million lines of runs Temporal dropped (`store.retention.sweep`, as the sweeper
 *   does it, asking Temporal which runs it keeps).
 * Prints the figures against their targets, the load average and steal; writes JSON to bench/results/.
 */
import { runsTemporalKeeps } from 'sluice/internal/temporal';
import { openStore, type LogQuery, type LogRecord } from 'sluice/internal/store';
import { atMost, reportRun, startRun, type Metric } from '../lib/report';
import { samplePage, timedGet } from '../web/http-timing';
import { spread, type Spread } from '../web/percentiles';
import { startBigStoreStack, type BigStoreStack } from './big-store-stack';
import { COMMON_NEEDLE, FLOWS, RARE_NEEDLE, seedLogs, seedRuns, type SeededLogs, type SeededRuns } from './big-store-seed';
import { explainStore } from './explain-store';

const PAGE_TARGET_MS = 300;
const SWEEP_RATIO_TARGET = 2;
const BATCH_LINES = 500;

function parseArgs(args: string[]): { runs: number; lines: number; samples: number; realRuns: number } {
  const o = { runs: 100_000, lines: 10_000_000, samples: 40, realRuns: 40 };
  for (const arg of args) {
    const m = /^--(runs|lines|samples|real-runs)=(\d+)$/.exec(arg);
    if (!m) throw new Error(`Unknown argument ${JSON.stringify(arg)}. Usage: npm run bench:bigstore -- [--runs=N] [--lines=N] [--samples=N] [--real-runs=N]`);
    o[m[1] === 'real-runs' ? 'realRuns' : (m[1] as 'runs' | 'lines' | 'samples')] = Number(m[2]);
  }
  if (o.realRuns < 4 || o.runs < o.realRuns) throw new Error('--real-runs must be at least 4 (the runs with many lines) and at most --runs');
  return o;
}

interface PageFigure {
  name: string;
  path: string;
  timings: Spread;
}

/** Each page `samples` times after a warm-up, one request at a time, each page in turn (a slow moment hits all alike). */
async function timePages(stack: BigStoreStack, seeded: SeededRuns, logsSeeded: SeededLogs, samples: number, say: (l: string) => void): Promise<PageFigure[]> {
  const cookie = await stack.app.cookie('viewer');
  const big = seeded.heavy[0]!;
  const logs = `/api/ui/runs/${encodeURIComponent(big.workflowId)}/${encodeURIComponent(big.runId)}/logs?order=desc&limit=1000`;
  const old = logsSeeded.oldRun;
  const oldLogs = `/api/ui/runs/${encodeURIComponent(old.workflowId)}/${encodeURIComponent(old.runId)}/logs?order=desc&limit=1000`;
  const pages = [
    { name: 'home page', path: '/', check: (b: string) => b.includes('Running now') },
    { name: 'runs list, first page', path: '/runs', check: (b: string) => b.includes('Runs per status') },
    { name: 'runs list, one flow, failed', path: `/runs?flow=${FLOWS[3]}&status=failed`, check: (b: string) => b.includes('Runs per status') },
    { name: 'run page (most lines)', path: `/runs/${encodeURIComponent(big.workflowId)}/${encodeURIComponent(big.runId)}`, check: (b: string) => b.includes(big.runId) },
    { name: "run's newest 1,000 lines", path: logs, check: (b: string) => b.startsWith('{"lines":[{') },
    { name: "run's log search (rare)", path: `${logs}&search=${encodeURIComponent(RARE_NEEDLE.toUpperCase())}`, check: (b: string) => b.includes(RARE_NEEDLE) },
    { name: "half-year-old run's newest lines", path: oldLogs, check: (b: string) => b.startsWith('{"lines":[{') },
    // Its first request finds nothing: the matches lie further back (see timeSearches).
    { name: "run's log search (common)", path: `${logs}&search=${encodeURIComponent(COMMON_NEEDLE)}`, check: (b: string) => b.startsWith('{"lines":[') },
  ];
  const totals = new Map(pages.map((p) => [p.name, [] as number[]]));
  for (let round = 0; round < samples + 3; round++) {
    for (const p of pages) {
      const t = await samplePage(`${stack.app.baseUrl}${p.path}`, cookie, { warmup: 0, samples: 1, check: p.check });
      if (round >= 3) totals.get(p.name)!.push(t.total.p50);
    }
    if (round % 10 === 9) say(`pages: round ${round + 1} of ${samples + 3}`);
  }
  return pages.map((p) => ({ name: p.name, path: p.path, timings: spread(totals.get(p.name)!) }));
}

interface SearchFigure {
  name: string;
  /** Each request of the searches. */
  requests: Spread;
  /** A whole search: first request to last answer. */
  whole: Spread;
  /** Requests a search took (the most of all samples). */
  requestsPerSearch: number;
  /** Matches it found (a page: at most 1,000). */
  matches: number;
  /** Lines it searched (the windows the answers counted; the trigram index's answers count none). */
  searched: number;
}

/** A search of the run with the most lines, whole, as the log viewer makes it, `samples` times after a warm-up. */
async function timeSearches(stack: BigStoreStack, seeded: SeededRuns, samples: number): Promise<SearchFigure[]> {
  const cookie = await stack.app.cookie('viewer');
  const big = seeded.heavy[0]!;
  const base = `${stack.app.baseUrl}/api/ui/runs/${encodeURIComponent(big.workflowId)}/${encodeURIComponent(big.runId)}/logs`;
  const figures: SearchFigure[] = [];
  for (const [name, needle] of [["run's log search (rare), whole", RARE_NEEDLE.toUpperCase()], ["run's log search (common), whole", COMMON_NEEDLE]] as const) {
    const requests: number[] = [];
    const whole: number[] = [];
    let requestsPerSearch = 0;
    let matches = 0;
    let searched = 0;
    for (let round = 0; round < samples + 3; round++) {
      const t0 = performance.now();
      const times: number[] = [];
      let found = 0;
      let lines = 0;
      for (let beforeId: number | null | undefined; ; ) {
        const cursor = beforeId === undefined ? '' : `&beforeId=${beforeId}`;
        const t = await timedGet(`${base}?order=desc&limit=${1000 - found}&search=${encodeURIComponent(needle)}${cursor}`, cookie);
        if (t.status !== 200) throw new Error(`the search for ${needle} answered ${t.status}: ${t.body.slice(0, 600)}`);
        times.push(t.totalMs);
        const page = JSON.parse(t.body) as { lines: unknown[]; searched: number | null; beforeId: number | null; more: boolean };
        found += page.lines.length;
        lines += page.searched ?? 0;
        if (!page.more || found >= 1000 || page.beforeId === null) break;
        beforeId = page.beforeId;
      }
      if (round < 3) continue;
      whole.push(performance.now() - t0);
      requests.push(...times);
      requestsPerSearch = Math.max(requestsPerSearch, times.length);
      matches = found;
      searched = lines;
    }
    figures.push({ name, requests: spread(requests), whole: spread(whole), requestsPerSearch, matches, searched });
  }
  return figures;
}

/** The plans of the store's reads the pages make of the run with the most lines (EXPLAIN (ANALYZE, BUFFERS)). */
async function explainReads(stack: BigStoreStack, seeded: SeededRuns, logs: SeededLogs): Promise<Record<string, string>> {
  const runId = seeded.heavy[0]!.runId;
  const reads: Record<string, LogQuery> = {
    "run's newest 1,000 lines": { runId, order: 'desc', limit: 1000 },
    "run's log search (rare)": { runId, order: 'desc', limit: 1000, search: RARE_NEEDLE.toUpperCase() },
    "run's log search (common)": { runId, order: 'desc', limit: 1000, search: COMMON_NEEDLE },
    "half-year-old run's newest lines": { runId: logs.oldRun.runId, order: 'desc', limit: 1000 },
  };
  const plans: Record<string, string> = {};
  // As the feed reads them (Store.readLogPage): its first request of each.
  for (const [name, q] of Object.entries(reads)) plans[name] = (await explainStore(stack.store, (s) => s.readLogPage(q))).join('\n\n');
  return plans;
}

/** Lines as a task's batch holds them: one run, consecutive, a few fields. */
function batch(runId: string, n: number, seq: number): LogRecord[] {
  const now = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    time: now, level: 'info' as const, message: `bench line ${seq * n + i} processed`, fields: { i, seq },
    workflowId: 'bench-writer', runId, flow: 'sequentialLoggingTasks', task: 'step', activityId: '1', attempt: 1,
  }));
}

/** Log batches, one every 50 ms, timed until `until` resolves (or `count` batches when it is a number). */
async function timeBatches(stack: BigStoreStack, until: number | Promise<unknown>): Promise<number[]> {
  const store = await openStore(stack.pg.url);
  const times: number[] = [];
  let done = typeof until === 'number';
  if (typeof until !== 'number') void until.finally(() => (done = true));
  try {
    for (let seq = 0; typeof until === 'number' ? seq < until : !done; seq++) {
      const records = batch('bench-writer-run', BATCH_LINES, seq);
      const t0 = performance.now();
      await store.insertLogs(records);
      times.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await store.close();
  }
  return times;
}

async function timeSweep(stack: BigStoreStack, goneLines: number, say: (l: string) => void) {
  // The cutoff: just after the gone runs' lines, the oldest of all; the runs Temporal still has keep theirs anyway.
  const cut = await stack.store.db.selectFrom('logs').select('time').orderBy('time').limit(1).offset(goneLines - 1).executeTakeFirstOrThrow();
  const olderThan = Number(cut.time) + 1;
  say('log batches while idle');
  await timeBatches(stack, 20); // warm-up
  const idle = await timeBatches(stack, 200);
  say('log batches during a retention sweep');
  const t0 = Date.now();
  const sweeping = stack.store.retention.sweep({ olderThan, runsKept: (ids) => runsTemporalKeeps(stack.client.temporal, ids), sweptBy: 'bench' });
  const during = await timeBatches(stack, sweeping);
  const result = await sweeping;
  const sweepMs = Date.now() - t0;
  say(`the sweep deleted ${result.deleted.logs.toLocaleString('en-US')} lines in ${(sweepMs / 1000).toFixed(1)} s`);
  return { idle: spread(idle), during: spread(during), deleted: result.deleted.logs, sweepMs };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const say = (line: string) => process.stderr.write(`[bench:bigstore] ${line}\n`);
  const runStart = startRun();
  const stack = await startBigStoreStack(say);
  try {
    say(`seeding ${o.runs.toLocaleString('en-US')} runs (${o.realRuns} real)`);
    const seeded = await seedRuns(stack, o.runs, o.realRuns, say);
    say(`runs seeded in ${(seeded.ms / 1000).toFixed(1)} s`);
    const logs = await seedLogs(stack, o.lines, seeded, say);
    say(`lines seeded in ${(logs.ms / 1000).toFixed(1)} s`);
    const plans = await explainReads(stack, seeded, logs);
    for (const [name, plan] of Object.entries(plans)) say(`plan of ${name}:\n${plan}`);
    const pages = await timePages(stack, seeded, logs, o.samples, say);
    say('log searches, whole');
    const searches = await timeSearches(stack, seeded, Math.max(5, Math.round(o.samples / 2)));
    const sweep = await timeSweep(stack, logs.goneLines, say);
    const ratio = sweep.during.p95 / sweep.idle.p95;
    const metrics: Metric[] = [
      ...pages.flatMap((p) => [
        { name: `${p.name}: p95`, value: p.timings.p95, unit: 'ms', ...atMost(p.timings.p95, PAGE_TARGET_MS) },
        { name: `${p.name}: p50`, value: p.timings.p50, unit: 'ms', target: '' },
      ]),
      ...searches.flatMap((f) => [
        { name: `${f.name}: each request p95`, value: f.requests.p95, unit: 'ms', ...atMost(f.requests.p95, PAGE_TARGET_MS) },
        { name: `${f.name}: each request p50`, value: f.requests.p50, unit: 'ms', target: '' },
        { name: `${f.name}: all requests p95`, value: f.whole.p95, unit: 'ms', target: '' },
        { name: `${f.name}: all requests p50`, value: f.whole.p50, unit: 'ms', target: '' },
        { name: `${f.name}: requests`, value: f.requestsPerSearch, unit: '', target: '' },
      ]),
      { name: `store a log batch (${BATCH_LINES} lines), idle: p95`, value: sweep.idle.p95, unit: 'ms', target: '' },
      { name: `store a log batch during a sweep of ${sweep.deleted.toLocaleString('en-US')} lines: p95`, value: sweep.during.p95, unit: 'ms', target: '' },
      { name: 'log batch p95, during sweep / idle', value: ratio, unit: '', ...atMost(ratio, SWEEP_RATIO_TARGET) },
    ];
    reportRun([{ name: 'bigstore', metrics, details: { options: o, seeded: { runs: seeded, logs }, pages, searches, sweep, plans } }], {
      ...runStart,
      notes: [
        `Seeded: ${seeded.total.toLocaleString('en-US')} runs in visibility in ${(seeded.ms / 1000).toFixed(0)} s, ${logs.lines.toLocaleString('en-US')} log lines in ${(logs.ms / 1000).toFixed(0)} s; the run with the most lines has ${seeded.heavy[0]!.lines.toLocaleString('en-US')}.`,
        `Pages: whole answer (last byte), ${o.samples} requests each, signed in as a viewer, one at a time. The sweep took ${(sweep.sweepMs / 1000).toFixed(0)} s.`,
        ...searches.map((f) => `${f.name}: ${f.matches.toLocaleString('en-US')} matches in ${f.requestsPerSearch} requests, ${f.searched.toLocaleString('en-US')} lines counted as searched.`),
      ],
      meta: { benchmark: 'bigstore' },
    });
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
