/**
 * Builds the workflow bundle: the flows, run in Temporal's sandbox. Task options are baked in as a constant
 * (see `tasks()` in sdk/flow), since the sandbox may not load the tasks' implementations.
 *
 * The worker builds it in a short-lived child process: webpack's heap would otherwise stay in the worker
 * for its whole life (about 100 MB of its idle memory).
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import webpack from 'webpack';
import type { TaskOptions } from '../task-options';
import { isProcessAlive } from '../dev/managed-child';

/** Sluice's own workflows, bundled with every project's flows: the limiter of concurrency and rate limits, and a
 * backfill's driver (it runs on the flow's task queue). */
const TEMPORAL_MODULES = path.dirname(path.dirname(path.dirname(require.resolve('@temporalio/workflow/package.json'))));
const LIMITER_MODULE = path.join(__dirname, '..', 'limits', `limiter-workflow${path.extname(__filename)}`);
const BACKFILL_MODULE = path.join(__dirname, '..', 'backfill', `workflow${path.extname(__filename)}`);

/**
 * The ES build of the zod that `require('zod')` from `dir` loads (its `index.js`, beside the CommonJS `index.cjs`),
 * or undefined when there is none to find: the import then resolves as webpack would anyway.
 */
function zodEsBuild(dir: string): string | undefined {
  try {
    const es = require.resolve('zod', { paths: [dir] }).replace(/\.cjs$/, '.js');
    return existsSync(es) ? es : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Bundles in this process; see `bundleFlowsInChild` for the worker's way. The entry is a small module that
 * re-exports the project's flows, Sluice's limiter and the backfill driver, so every worker can run them (the project's
 * workflows module stays the project's own: its flows are what the catalog lists).
 */
export async function bundleFlows(workflowsPath: string, taskOptions: Record<string, TaskOptions>): Promise<{ code: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-entry-'));
  const entry = path.join(dir, 'flows.js');
  await writeFile(entry, `export * from ${JSON.stringify(require.resolve(workflowsPath))};
export { sluiceLimiter } from ${JSON.stringify(LIMITER_MODULE)};
export { sluiceBackfill } from ${JSON.stringify(BACKFILL_MODULE)};
`);
  try {
    return await bundleEntry(entry, taskOptions);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function bundleEntry(workflowsPath: string, taskOptions: Record<string, TaskOptions>): Promise<{ code: string }> {
  return bundleWorkflowCode({
    workflowsPath,
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never,
    webpackConfigHook: (config) => {
      // The source map keeps its mappings (a flow's stack trace still names its file and line) but not a copy of
      // every source file: that copy doubled the bundle, and the worker held it in each thread for its whole
      // life (about 20 MB of its idle memory).
      config.devtool = 'inline-nosources-source-map';
      // Webpack's side-effects optimization follows re-exports to skip modules, and on a namespace re-exported
      // inside another (`export * as iso` beside `export *` in zod) it follows the wrong one: `z.iso.date()`
      // compiled to `z.date()`, so a flow refused the date string its client, form and API had accepted (and
      // `z.coerce.number()` became `z.number()`). Without it every import means what it says in Node.
      config.optimization = { ...config.optimization, sideEffects: false };
      // The entry sits in a temporary directory: its imports and Temporal's generated start module beside it find
      // @temporalio/workflow where Sluice's own flow code does.
      config.resolve = { ...config.resolve, modules: [...(config.resolve?.modules ?? ['node_modules']), TEMPORAL_MODULES] };
      config.plugins = [
        ...(config.plugins ?? []),
        new webpack.DefinePlugin({ __SLUICE_TASK_OPTIONS__: JSON.stringify(taskOptions) }),
        // One zod per copy installed: the flows import its ES build, Sluice's compiled code requires its CommonJS
        // build, and both went into the bundle — 1.3 MB more that Temporal evaluates again for every run a worker
        // takes on (a run's first step took twice as long as its later ones). Every `zod` import goes to the ES
        // build of the copy its importer would load, so a flow's own zod, if another version, stays its own.
        new webpack.NormalModuleReplacementPlugin(/^zod$/, (data) => {
          const from = data.contextInfo.issuer ? path.dirname(data.contextInfo.issuer) : data.context;
          data.request = zodEsBuild(from) ?? data.request;
        }),
      ];
      return config;
    },
  });
}

export const TASK_OPTIONS_ENV = 'SLUICE_BUNDLE_TASK_OPTIONS';

/**
 * The flows' bundle as the worker hands it to Temporal: by file, so the worker does not hold a copy of the code
 * beside the one Temporal keeps (about 5 MB each: the code is held as UTF-16).
 */
export type FlowsBundle = { code: string } | { codePath: string };

/**
 * Bundles in a child process (worker/build-bundle.ts) into a temporary file, and returns that file: `remove()` it
 * once the worker has stopped (Temporal reads it when the worker and a start-up replay are created).
 */
export async function bundleFlowsInChild(workflowsPath: string, taskOptions: Record<string, TaskOptions>): Promise<{ codePath: string; remove(): Promise<void> }> {
  await removeOrphanBundles();
  const out = path.join(os.tmpdir(), `${BUNDLE_PREFIX}${process.pid}-${Date.now()}.js`);
  const remove = () => rm(out, { force: true });
  const child = spawn(process.execPath, [...process.execArgv, path.join(__dirname, `build-bundle${path.extname(__filename)}`), workflowsPath, out], {
    env: { ...process.env, [TASK_OPTIONS_ENV]: JSON.stringify(taskOptions) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const code = await new Promise<number | null>((resolve, reject) => child.once('exit', resolve).once('error', reject));
  if (code !== 0) {
    await remove();
    throw new Error(`Building the workflow bundle of ${workflowsPath} failed (exit ${code}); its error is printed above.`);
  }
  return { codePath: out, remove };
}

const BUNDLE_PREFIX = 'sluice-flows-';

/** The bundles of workers that were killed before they could remove theirs: their process is gone. */
async function removeOrphanBundles(): Promise<void> {
  const dir = os.tmpdir();
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const pid = new RegExp(`^${BUNDLE_PREFIX}(\\d+)-\\d+\\.js$`).exec(name)?.[1];
    // Another user's file stays: /tmp does not let this one remove it.
    if (pid && !isProcessAlive(Number(pid))) await rm(path.join(dir, name), { force: true }).catch(() => undefined);
  }
}

const HEADER = '// sluice-task-options: ';

/** The first line of a bundle written by `sluice build`: the task options baked into it. */
export function bundleHeader(taskOptions: Record<string, TaskOptions>): string {
  return `${HEADER}${JSON.stringify(taskOptions)}\n`;
}

/**
 * Reads a bundle written by `sluice build`. Refuses one whose baked task options differ from the tasks the
 * worker loads: its flows would call tasks with stale retry policies.
 */
export async function readPrebuiltBundle(file: string, taskOptions: Record<string, TaskOptions>): Promise<{ codePath: string }> {
  let code: string;
  try {
    code = await readFile(file, 'utf8');
  } catch (e) {
    throw new Error(`SLUICE_FLOWS_BUNDLE: cannot read ${file} (${(e as Error).message}); build it with \`sluice build --out ${file}\``);
  }
  const firstLine = code.slice(0, code.indexOf('\n'));
  const baked = firstLine.startsWith(HEADER) ? JSON.parse(firstLine.slice(HEADER.length)) : undefined;
  if (!isDeepStrictEqual(baked, JSON.parse(JSON.stringify(taskOptions)))) {
    throw new Error(`SLUICE_FLOWS_BUNDLE: ${file} was built from other task declarations than the ones loaded now; run \`sluice build\` again`);
  }
  return { codePath: path.resolve(file) };
}
