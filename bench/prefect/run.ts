/**
 * `npm run bench:prefect [-- --reps=N]`: Sluice and Prefect 3 side by side on this machine, the same flows written
 * once for each (bench/prefect/sluice/, bench/prefect/prefect_flows.py). Starts both stacks (see sluice-stack.ts:
 * `npm start`; prefect-stack.ts), measures the memory of each whole process tree while idle, then alternates the
 * workloads between them (each started once both stacks are idle), measures their idle CPU once the workloads are
 * digested and their memory again, and prints each figure, the ratio Sluice / Prefect against the targets of
 * issues 10 and 24, the load average and the CPU time the host took.
 * Measurements, not tests: a missed target does not change the exit code.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { breakdown } from '../latency';
import { distinctResidentMb, machineCpu, processTree, stealPercent, sumFootprints, treeCpuSeconds, treeProcesses, type Footprint, type ProcessFootprint } from '../lib/proc';
import { reportRun, startRun, type Metric } from '../lib/report';
import { median } from '../lib/stats';
import { startPrefect, type PrefectStack } from './prefect-stack';
import { startSluice, type SluiceStack } from './sluice-stack';

const ROOT = path.resolve(__dirname, '../..');
const SEQUENTIAL = 40;
const PARALLEL = 200;
const LOG_RATE = 10;
const LOG_SECONDS = 10;
const IDLE_MS = 15_000;
const IDLE_CPU_MS = 30_000;
const MEASURE_NAMES: Record<keyof Footprint, string> = { pss: 'PSS', rss: 'RSS', anonymous: 'anonymous' };

const say = (line: string) => process.stderr.write(`[bench:prefect] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];

function parseReps(args: string[]): number {
  let reps = 3;
  for (const arg of args) {
    const m = /^--reps=(\d+)$/.exec(arg);
    if (!m || Number(m[1]) < 1) throw new Error(`Unknown argument ${JSON.stringify(arg)}. Usage: npm run bench:prefect [-- --reps=N]`);
    reps = Number(m[1]);
  }
  return reps;
}

/** Waits for a file the first task writes (its start, epoch ms) and returns its content. */
async function stampOf(file: string, timeoutMs = 120_000): Promise<number> {
  for (const deadline = Date.now() + timeoutMs; ; await sleep(5)) {
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      if (text) return Number(text);
    }
    if (Date.now() > deadline) throw new Error(`${file} was not written within ${timeoutMs} ms`);
  }
}

/** Each `tick <n> at <ms>` line seen, when first seen: polls `read` every 100 ms until all `total` are in. */
async function logLatencies(total: number, read: () => Promise<string[]>): Promise<number[]> {
  const seen = new Map<number, number>();
  for (const deadline = Date.now() + 120_000; seen.size < total && Date.now() < deadline; await sleep(100)) {
    const now = Date.now();
    for (const message of await read()) {
      const m = /^tick (\d+) at (\d+)/.exec(message);
      if (m && !seen.has(Number(m[1]))) seen.set(Number(m[1]), now - Number(m[2]));
    }
  }
  if (seen.size < total) throw new Error(`only ${seen.size} of ${total} log lines became readable within 2 minutes`);
  return [...seen.values()];
}

/** Every process of both stacks, once they run (see settle). */
let stackPids: number[] = [];
const settleWaits: number[] = [];

/**
 * Waits until both stacks are idle (together under 5% of one core over half a second; at most 30 s), so each
 * workload is measured without the other stack's leftover work: Prefect's server goes on digesting a run's
 * events for seconds after it reports the run finished, and on 2 cores that work slows whoever runs next.
 */
async function settle(): Promise<void> {
  const began = Date.now();
  const cpu = () => stackPids.reduce((sum, pid) => sum + treeCpuSeconds(pid), 0);
  for (;;) {
    const before = cpu();
    await sleep(500);
    if (cpu() - before < 0.025 || Date.now() - began > 30_000) break;
  }
  settleWaits.push(Date.now() - began);
}

/** What a process of either tree is, from its command line: the rows of the memory table. */
function roleOf(side: 'sluice' | 'prefect', p: ProcessFootprint, root: number): string {
  const c = p.command;
  if (side === 'prefect') return root === p.pid ? 'process started' : 'its children';
  if (/sluice-orphan-guard|^sh -c parent=\$1; group=\$2|^sleep /.test(c)) return 'orphan guards (sh, sleep)';
  if (/esbuild --service/.test(c)) return 'esbuild (tsx)';
  if (/^(sh|\/bin\/sh) -c/.test(c)) return 'sh (npm run-script)';
  if (/npm-cli\.js|^npm /.test(c)) return 'npm';
  if (/scripts\/start|dist\/start\.js/.test(c)) return 'supervisor (scripts/start.ts)';
  if (/temporal\S* server start-dev/.test(c)) return 'Temporal dev server';
  if (/next(-server|\/dist\/bin\/next)/.test(c)) return 'web app (next start)';
  if (/ worker\b/.test(c) && /sluice/.test(c)) return 'worker';
  return c.split(' ')[0]!.split('/').at(-1)!;
}

/** Each tree's processes, by role, summed; and each stack's pages counted once (see distinctResidentMb). */
function memoryByRole(trees: Record<string, { side: 'sluice' | 'prefect'; pid: number }>): {
  rows: Record<string, Footprint>;
  processes: Record<string, ProcessFootprint[]>;
  distinct: Partial<Record<'sluice' | 'prefect', number>>;
} {
  const rows: Record<string, Footprint> = {};
  const processes: Record<string, ProcessFootprint[]> = {};
  const distinct: Partial<Record<'sluice' | 'prefect', number>> = {};
  for (const side of ['sluice', 'prefect'] as const) {
    distinct[side] = distinctResidentMb(Object.values(trees).flatMap((t) => (t.side === side ? processTree(t.pid) : [])));
  }
  for (const [tree, { side, pid }] of Object.entries(trees)) {
    const all = treeProcesses(pid);
    processes[tree] = all;
    const roles = new Map<string, ProcessFootprint[]>();
    for (const p of all) {
      const role = roleOf(side, p, pid);
      roles.set(role, [...(roles.get(role) ?? []), p]);
    }
    for (const [role, ps] of roles) rows[`${tree}: ${role}${ps.length > 1 ? ` (${ps.length} processes)` : ''}`] = sumFootprints(ps);
  }
  return { rows, processes, distinct };
}

interface Samples {
  [figure: string]: number[];
}

async function sluiceRound(s: SluiceStack, tmpDir: string, samples: Samples, rep: number, breakdowns: unknown[]): Promise<void> {
  const timed = async (flow: string, params: Record<string, unknown>) => {
    await settle();
    const t0 = performance.now();
    const ref = await s.client.start(flow, params);
    await s.client.waitForResult(ref);
    return { ms: performance.now() - t0, ref };
  };
  const seq = await timed('sequential', { n: SEQUENTIAL });
  (samples['sluice sequential'] ??= []).push(seq.ms);
  breakdowns.push(await breakdown(s.client.temporal, seq.ref.workflowId, seq.ref.runId));
  (samples['sluice sequential local'] ??= []).push((await timed('sequentialLocal', { n: SEQUENTIAL })).ms);
  (samples['sluice parallel'] ??= []).push((await timed('parallel', { n: PARALLEL })).ms);

  const stampFile = path.join(tmpDir, `sluice-stamp-${rep}`);
  await settle();
  const t0 = Date.now();
  const first = await s.client.start('firstTask', { stampFile });
  (samples['sluice first task'] ??= []).push((await stampOf(stampFile)) - t0);
  await s.client.waitForResult(first);

  await settle();
  const run = await s.client.start('logLines', { rate: LOG_RATE, seconds: LOG_SECONDS });
  let afterId: number | undefined;
  const latencies = await logLatencies(LOG_RATE * LOG_SECONDS, async () => {
    const lines = await s.client.readLogs({ runId: run.runId, afterId, limit: 1000 });
    if (lines.length) afterId = lines[lines.length - 1].id;
    return lines.map((l) => l.message);
  });
  (samples['sluice log p95'] ??= []).push(percentile(latencies, 95));
  await s.client.waitForResult(run);
}

async function prefectRound(p: PrefectStack, python: string, tmpDir: string, samples: Samples, rep: number): Promise<void> {
  const timed = async (flow: string, params: Record<string, unknown>) => {
    await settle();
    const t0 = performance.now();
    const run = await p.runDeployment(flow, params);
    await p.waitForRun(run);
    return performance.now() - t0;
  };
  (samples['prefect sequential deployment'] ??= []).push(await timed('sequential', { n: SEQUENTIAL }));
  await settle();
  const inProcess = execFileSync(python, ['in_process.py', 'sequential', String(SEQUENTIAL), '1'], { cwd: __dirname, env: { ...process.env, ...p.env }, encoding: 'utf8' });
  (samples['prefect sequential in-process'] ??= []).push(...(JSON.parse(inProcess.trim().split('\n').at(-1)!) as { ms: number[] }).ms);
  (samples['prefect parallel deployment'] ??= []).push(await timed('parallel', { n: PARALLEL }));

  const stampFile = path.join(tmpDir, `prefect-stamp-${rep}`);
  await settle();
  const t0 = Date.now();
  const first = await p.runDeployment('first_task', { stamp_file: stampFile });
  (samples['prefect first task'] ??= []).push((await stampOf(stampFile)) - t0);
  await p.waitForRun(first);

  await settle();
  const run = await p.runDeployment('log_lines', { rate: LOG_RATE, seconds: LOG_SECONDS });
  let offset = 0;
  const latencies = await logLatencies(LOG_RATE * LOG_SECONDS, async () => {
    const logs = await p.api<{ message: string }[]>('POST', '/logs/filter', {
      logs: { flow_run_id: { any_: [run.id] } },
      sort: 'TIMESTAMP_ASC',
      offset,
      limit: 200,
    });
    offset += logs.length;
    return logs.map((l) => l.message);
  });
  (samples['prefect log p95'] ??= []).push(percentile(latencies, 95));
  await p.waitForRun(run);
}

async function main(): Promise<void> {
  const reps = parseReps(process.argv.slice(2));
  const runStart = startRun();
  say('making or reusing the Prefect virtual environment (scripts/venv.sh)');
  const venv = execFileSync('bash', [path.join(ROOT, 'scripts/venv.sh'), 'prefect', path.join(__dirname, 'requirements.txt')], { encoding: 'utf8' }).trim();
  const python = path.join(venv, 'bin/python');
  const prefectVersion = execFileSync(python, ['-c', 'import prefect; print(prefect.__version__)'], { encoding: 'utf8' }).trim();
  const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-prefect-'));
  let sluice: SluiceStack | undefined;
  let prefect: PrefectStack | undefined;
  const samples: Samples = {};
  const breakdowns: Awaited<ReturnType<typeof breakdown>>[] = [];
  /** Per repetition, the share of CPU time the host took during each side's round (slow rounds are explained by it). */
  const steal: Record<string, number | undefined>[] = [];
  /** Each tree's memory by role, idle before the workloads and idle after them. */
  const memory: Record<'idle' | 'after', ReturnType<typeof memoryByRole>> = {} as never;
  /** % of one core each process tree took while idle, after the workloads. */
  let idleCpu: Record<string, number> = {};
  try {
    sluice = await startSluice(path.join(tmpDir), say);
    prefect = await startPrefect(python, tmpDir, say);
    const trees = {
      'sluice: npm start': { side: 'sluice' as const, pid: sluice.pid },
      'prefect: prefect server start': { side: 'prefect' as const, pid: prefect.serverPid },
      'prefect: serve.py': { side: 'prefect' as const, pid: prefect.servePid },
    };
    const processes = Object.fromEntries(Object.entries(trees).map(([k, t]) => [k, t.pid]));
    stackPids = Object.values(processes);
    say(`both stacks up; idle for ${IDLE_MS / 1000} s, then their resident memory`);
    await sleep(IDLE_MS);
    memory.idle = memoryByRole(trees);
    say(`memory (PSS): ${Object.entries(memory.idle.rows).map(([k, v]) => `${k} ${v.pss.toFixed(0)} MB`).join(', ')}`);

    say('warming up both');
    await sluice.client.waitForResult(await sluice.client.start('sequential', { n: 5 }));
    await prefect.waitForRun(await prefect.runDeployment('sequential', { n: 5 }));
    for (let rep = 0; rep < reps; rep++) {
      const rounds = [
        ['sluice', () => sluiceRound(sluice!, tmpDir, samples, rep, breakdowns)],
        ['prefect', () => prefectRound(prefect!, python, tmpDir, samples, rep)],
      ] as const;
      const stolen: Record<string, number | undefined> = {};
      for (const [side, round] of rep % 2 === 0 ? rounds : [...rounds].reverse()) {
        const before = machineCpu();
        await round();
        stolen[side] = stealPercent(before, machineCpu());
      }
      steal.push(stolen);
      say(
        `repetition ${rep + 1}/${reps}: ${Object.entries(samples).map(([k, v]) => `${k} ${v.at(-1)!.toFixed(0)}`).join(', ')} (ms); ` +
          `CPU stolen by the host during the Sluice round ${stolen.sluice ?? '?'}%, the Prefect round ${stolen.prefect ?? '?'}%`,
      );
    }
    // What each stack costs while nobody uses it, once both have digested the workloads: their background
    // loops (Prefect's services, Temporal's queues and timers, the worker's polls, the web app's sweeps).
    await settle();
    say(`idle for ${IDLE_CPU_MS / 1000} s: the CPU each process takes`);
    const cpuBefore = Object.fromEntries(Object.entries(processes).map(([k, pid]) => [k, treeCpuSeconds(pid)]));
    await sleep(IDLE_CPU_MS);
    idleCpu = Object.fromEntries(Object.entries(processes).map(([k, pid]) => [k, (100 * (treeCpuSeconds(pid) - cpuBefore[k]!)) / (IDLE_CPU_MS / 1000)]));
    memory.after = memoryByRole(trees);
    say(`memory after the workloads (PSS): ${Object.entries(memory.after.rows).map(([k, v]) => `${k} ${v.pss.toFixed(0)} MB`).join(', ')}`);
  } finally {
    await prefect?.stop();
    await sluice?.stop();
    rmSync(tmpDir, { recursive: true, force: true });
  }

  const m = (k: string) => median(samples[k]);
  const stackMb = (when: 'idle' | 'after', side: 'sluice' | 'prefect', measure: keyof Footprint) =>
    Object.entries(memory[when].rows).reduce((sum, [k, v]) => (k.startsWith(`${side}:`) ? sum + v[measure] : sum), 0);
  const WHEN = { idle: 'idle', after: 'idle after the workloads' } as const;
  const mb = (name: string, value: number): Metric => ({ name, value: Math.round(value), unit: 'MB', target: '' });
  const stackCpu = (side: 'sluice' | 'prefect') => Object.entries(idleCpu).reduce((sum, [k, v]) => (k.startsWith(`${side}:`) ? sum + v : sum), 0);
  const ratio = (name: string, sluiceValue: number, prefectValue: number, limit?: number): Metric => {
    const r = Number((sluiceValue / prefectValue).toFixed(3));
    return { name: `  Sluice / Prefect: ${name}`, value: r, unit: '', target: limit === undefined ? '' : `<= ${limit}`, ...(limit === undefined ? {} : { pass: r <= limit }) };
  };
  const ms = (name: string, value: number): Metric => ({ name, value: Math.round(value), unit: 'ms', target: '' });
  const b = {
    queueMs: median(breakdowns.map((x) => x.queueMs)),
    runMs: median(breakdowns.map((x) => x.runMs)),
    turnaroundMs: median(breakdowns.map((x) => x.turnaroundMs)),
  };
  const metrics: Metric[] = [
    ms(`${SEQUENTIAL} sequential tasks: Prefect deployment run`, m('prefect sequential deployment')),
    ms(`${SEQUENTIAL} sequential tasks: Prefect flow called in-process`, m('prefect sequential in-process')),
    ms(`${SEQUENTIAL} sequential tasks: Sluice`, m('sluice sequential')),
    ms(`${SEQUENTIAL} sequential tasks: Sluice, local tasks`, m('sluice sequential local')),
    ratio('sequential vs Prefect deployment', m('sluice sequential'), m('prefect sequential deployment'), 0.1),
    ratio('sequential vs Prefect in-process', m('sluice sequential'), m('prefect sequential in-process'), 0.5),
    ratio('sequential local tasks vs Prefect in-process', m('sluice sequential local'), m('prefect sequential in-process'), 0.25),
    { name: '  Sluice task: queue wait (scheduled → started), mean', value: b.queueMs, unit: 'ms', target: '' },
    { name: '  Sluice task: running (started → completed), mean', value: b.runMs, unit: 'ms', target: '' },
    { name: '  Sluice task: flow turnaround (completed → next scheduled), mean', value: b.turnaroundMs, unit: 'ms', target: '' },
    ms(`${PARALLEL} parallel tasks: Prefect deployment run`, m('prefect parallel deployment')),
    ms(`${PARALLEL} parallel tasks: Sluice`, m('sluice parallel')),
    ratio('parallel vs Prefect deployment', m('sluice parallel'), m('prefect parallel deployment'), 0.1),
    ms('run pressed → first task running: Prefect', m('prefect first task')),
    ms('run pressed → first task running: Sluice', m('sluice first task')),
    ratio('run pressed → first task', m('sluice first task'), m('prefect first task')),
    ms('log line → readable through the API, p95: Prefect', m('prefect log p95')),
    ms('log line → readable through the API, p95: Sluice', m('sluice log p95')),
    ratio('log line → readable, p95', m('sluice log p95'), m('prefect log p95')),
    // Per process (by role): PSS idle, PSS after the workloads, and the anonymous part of PSS's RSS.
    ...Object.keys(memory.idle.rows).flatMap((k) => [
      mb(`memory (PSS), ${k}: idle`, memory.idle.rows[k]!.pss),
      ...(memory.after.rows[k] ? [mb(`memory (PSS), ${k}: after the workloads`, memory.after.rows[k].pss)] : []),
    ]),
    ...(['idle', 'after'] as const).flatMap((when) =>
      (['pss', 'rss', 'anonymous'] as const).flatMap((measure) => [
        mb(`memory ${WHEN[when]} (${MEASURE_NAMES[measure]}), Prefect (prefect server start + serve.py, all processes)`, stackMb(when, 'prefect', measure)),
        mb(`memory ${WHEN[when]} (${MEASURE_NAMES[measure]}), Sluice (npm start, all processes)`, stackMb(when, 'sluice', measure)),
        // Issue 24 judges memory by PSS; RSS counts shared program code once per process, and the anonymous
        // part (counted per process too) says how much of a difference is allocated memory.
        ratio(`memory ${WHEN[when]} (${MEASURE_NAMES[measure]})`, stackMb(when, 'sluice', measure), stackMb(when, 'prefect', measure), measure === 'pss' ? 1 : undefined),
      ]),
    ),
    // PSS splits a page shared with processes outside the stack (other programs running node or Python on this
    // machine) with them; counting each of the stack's pages once, in full, leaves nothing out.
    ...(['idle', 'after'] as const).flatMap((when) => {
      const { sluice: s, prefect: p } = memory[when].distinct;
      if (s === undefined || p === undefined) return [];
      return [
        mb(`memory ${WHEN[when]} (each resident page once), Prefect`, p),
        mb(`memory ${WHEN[when]} (each resident page once), Sluice`, s),
        ratio(`memory ${WHEN[when]} (each resident page once)`, s, p),
      ];
    }),
    ...Object.entries(idleCpu).map(([k, v]) => ({ name: `idle CPU, ${k}`, value: Number(v.toFixed(2)), unit: '% of a core', target: '' })),
    { name: 'idle CPU, Prefect (server + serve process)', value: Number(stackCpu('prefect').toFixed(2)), unit: '% of a core', target: '' },
    { name: 'idle CPU, Sluice (npm start, all processes)', value: Number(stackCpu('sluice').toFixed(2)), unit: '% of a core', target: '' },
    ratio('idle CPU', stackCpu('sluice'), stackCpu('prefect')),
  ];
  reportRun([{ name: 'prefect', metrics, details: { prefectVersion, reps, samples, memory, idleCpu, breakdowns, settleWaits, stealPercentPerRound: steal } }], {
    ...runStart,
    notes: [
      `Prefect ${prefectVersion} (its server on SQLite, deployments served by serve.py; runs started and read through its REST API), medians of ${reps} alternating repetitions.`,
      `Before each workload both stacks were let settle (under 5% of a core together): median wait ${median(settleWaits)} ms, longest ${Math.max(...settleWaits)} ms.`,
      "Memory from /proc/PID/smaps_rollup of each whole process tree (Sluice: npm start with npm, start.ts and all it starts; Prefect: prefect server start and serve.py with their children), summed: PSS (each page divided among the processes mapping it, so what a tree shares is counted once), RSS (shared pages counted in each process, as ps shows) and RSS's anonymous part (what the processes allocated; the rest is program code and libraries mapped from files); and each stack's resident pages counted once, in full, from /proc/PID/pagemap (PSS splits a page with programs outside the stack that map it too). Sluice's web app runs in production mode (next start).",
      "Where a sequential task's time goes with and without eager activity execution: npm run bench -- latency.",
    ],
    meta: { benchmark: 'prefect' },
  });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
