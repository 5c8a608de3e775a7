/**
 * `flow()` declares a flow (a Temporal workflow): its description, its parameters as a zod schema, and its
 * deployments. `tasks()` gives the flow its tasks, each with the retry policy it declared.
 *
 * @example
 * import type * as rainfallTasks from '../activities/rainfall';
 * const { downloadRainfall } = tasks<typeof rainfallTasks>();
 *
 * export const rainfallReport = flow(
 *   { description: 'Daily rainfall per station', parameters: z.object({ station: z.string() }),
 *     deployments: [{ name: 'daily', cron: '0 6 * * *', timezone: 'Europe/Amsterdam', parameters: { station: 'DeBilt' } }] },
 *   async ({ station }) => { const series = await downloadRainfall(station); ... },
 * );
 *
 * Sandbox-safe: flows import this module inside Temporal's deterministic sandbox.
 */
import {
  ApplicationFailure,
  ContinueAsNew,
  IllegalStateError,
  inWorkflowContext,
  isCancellation,
  log as workflowLog,
  proxyActivities,
  proxyLocalActivities,
  TemporalFailure,
  WorkflowError,
  workflowInfo,
  type ActivityInterfaceFor,
} from '@temporalio/workflow';
import type { z } from 'zod';
import type { DeploymentDeclaration } from './client/types';
import { FLOW_DECLARATION } from './declarations';
import { flowMeta } from './log';
import type { NotifyRule } from './notify/types';
import { INVALID_PARAMETERS, parseParameters } from './parameters';
import { effectiveTaskOptions, toActivityOptions, toLocalActivityOptions, type TaskOptions } from './task-options';
import { withLimits } from './limits/acquire';
import { runLimitsOf, taskLimitsOf } from './limits/declared-limits';
import type { ConcurrencyLimit } from './limits/limit-types';
import { DEPLOYMENT_KEY } from './run-attributes';

/**
 * What `flow()` declares besides its body: description, parameters (a zod schema), deployments, run timeout, notifications.
 *
 * @example
 * const declaration: FlowDeclaration<typeof parameters> = {
 *   description: 'Daily rainfall per station',
 *   parameters: z.object({ station: z.string().default('DeBilt') }),
 *   deployments: [{ name: 'daily', cron: '0 6 * * *', timezone: 'Europe/Amsterdam' }],
 *   notify: [{ on: ['failed'], channels: ['data-team'] }],
 * };
 */
export interface FlowDeclaration<S extends z.ZodType = z.ZodType> {
  /** Optional; the flow's name is its export name in the workflows module, and must match when given. */
  name?: string;
  description?: string;
  /** The flow's parameters; defaults declared here fill what a run leaves out. */
  parameters?: S;
  deployments?: DeploymentDeclaration[];
  /**
   * Longest a run of this flow may take, retries and a failing flow included (e.g. '2h', '30 minutes');
   * it then ends as timed out. Default 24 hours (DEFAULT_RUN_TIMEOUT). A deployment may set its own.
   */
  runTimeout?: string | number;
  /** Who is told when its runs fail, time out, recover…, whoever started them (see docs/notifications.md). */
  notify?: NotifyRule[];
  /**
   * At most this many runs of the flow at once; `{ limit: 1, key: (p) => p.basin }` counts per value of the key
   * (at most one run per basin). A run over the limit waits for a slot, shown as waiting (docs/limits.md).
   */
  concurrency?: number | ConcurrencyLimit<z.output<S>>;
}

/**
 * What `flow()` returns: the workflow function Temporal runs, carrying its declaration for the worker.
 *
 * @example
 * export const rainfallReport: Flow<typeof parameters, number> = flow({ parameters }, async ({ station }) => total(station));
 */
export type Flow<S extends z.ZodType = z.ZodType, R = unknown> = ((parameters?: z.input<S>) => Promise<R>) & {
  readonly [FLOW_DECLARATION]: FlowDeclaration<S>;
};

/**
 * Declares a flow (a Temporal workflow): its parameters are checked at start (a run with invalid ones fails at
 * once, with the message the client gives), and an error its body throws fails the run, as a task's does.
 *
 * @example
 * export const rainfallReport = flow(
 *   { description: 'Daily rainfall per station', parameters: z.object({ station: z.string() }),
 *     deployments: [{ name: 'daily', cron: '0 6 * * *', timezone: 'Europe/Amsterdam', parameters: { station: 'DeBilt' } }] },
 *   async ({ station }) => {
 *     const series = await downloadRainfall(station);
 *     return summarize(series);
 *   },
 * );
 */
export function flow<S extends z.ZodType, R>(
  declaration: FlowDeclaration<S>,
  body: (parameters: z.output<S>) => Promise<R>,
): Flow<S, R> {
  const run = async (input?: z.input<S>): Promise<R> => {
    const name = workflowInfo().workflowType;
    const parsed = parseParameters(name, declaration.parameters, input);
    if (!parsed.ok) {
      // Non-retryable, so the run fails at once with the same message the client gives.
      throw ApplicationFailure.create({ type: INVALID_PARAMETERS, message: parsed.message, nonRetryable: true, details: [parsed.issues] });
    }
    const deploymentName = workflowInfo().typedSearchAttributes.get(DEPLOYMENT_KEY);
    const deployment = declaration.deployments?.find((d) => d.name === deploymentName);
    try {
      return await withLimits(runLimitsOf(name, declaration.concurrency, parsed.value, deployment), () => body(parsed.value));
    } catch (error) {
      throw asRunFailure(error);
    }
  };
  return Object.assign(run, { [FLOW_DECLARATION]: declaration });
}

/**
 * What an error thrown by flow code becomes. Temporal fails only the *workflow task* on an error that is not
 * a TemporalFailure, and retries that task forever: the run would stay "running" with nothing to show. So a
 * plain error (a TypeError, `throw new Error('no data')`, a custom class) becomes an ApplicationFailure with
 * the error's class name as type, its message and its stack, and the run fails as a task does.
 *
 * Left as they are: Temporal's own failures (a task's failure, a cancellation), continue-as-new, and the
 * SDK's errors about the workflow itself (a determinism violation, an illegal state) — those keep the run
 * open, its workflow task retrying, so that fixed flow code can carry it on. (Temporal's worker option
 * `workflowFailureErrorTypes` matches by class name, and 'Error' there also fails runs on non-determinism,
 * so it cannot say "every error but those"; this is the same conversion, ApplicationFailure.fromError.)
 */
function asRunFailure(error: unknown): unknown {
  if (error instanceof TemporalFailure || error instanceof ContinueAsNew || isCancellation(error)) return error;
  if (error instanceof WorkflowError || error instanceof IllegalStateError) return error;
  return ApplicationFailure.fromError(error);
}

/**
 * The options every task declared, keyed by task name. The worker bakes them into the workflow bundle at
 * build time (webpack DefinePlugin), because the sandbox may not load task implementations.
 */
declare const __SLUICE_TASK_OPTIONS__: Record<string, TaskOptions> | undefined;
const declaredOptions = (): Record<string, TaskOptions> =>
  typeof __SLUICE_TASK_OPTIONS__ === 'undefined' ? {} : __SLUICE_TASK_OPTIONS__;

/**
 * The tasks a flow calls. Each uses the retry policy its task declared; `overrides` replace parts of it for
 * the calls made through this object.
 *
 * @example
 * const { download } = tasks<typeof activities>();                 // as declared
 * const { download: quick } = tasks<typeof activities>({ retries: 0 }); // this call site: no retry
 */
export function tasks<T extends object>(overrides?: TaskOptions): ActivityInterfaceFor<T> {
  const cache = new Map<string, unknown>();
  return new Proxy({} as ActivityInterfaceFor<T>, {
    get(_, name) {
      if (typeof name !== 'string') return undefined;
      if (!cache.has(name)) {
        const declared = declaredOptions()[name];
        type Fns = Record<string, (...args: unknown[]) => Promise<unknown>>;
        const effective = effectiveTaskOptions(declared, overrides);
        const proxy = effective.local
          ? proxyLocalActivities<Fns>(toLocalActivityOptions(declared, overrides))
          : proxyActivities<Fns>(toActivityOptions(declared, overrides));
        const call = proxy[name]!;
        const limits = taskLimitsOf(name, effective);
        // A limited task takes its slot (and start) before it is scheduled, so a waiting call is never "running".
        cache.set(name, limits.length ? (...args: unknown[]) => withLimits(limits, () => call(...args)) : call);
      }
      return cache.get(name);
    },
  });
}

/**
 * Prints in a flow are kept as its log lines, as in tasks: the sandbox's own console only writes them to the
 * worker's output. Replay-safe, since Temporal's workflow logger is silent during replay. Only inside the
 * sandbox (which has no `process`); where this module is loaded in Node, the console is left alone.
 */
if (typeof process === 'undefined') {
  const levels = { log: 'info', info: 'info', warn: 'warn', error: 'error', debug: 'debug' } as const;
  const text = (v: unknown) => {
    if (typeof v === 'string') return v;
    try {
      return v instanceof Error ? String(v.stack ?? v) : JSON.stringify(v) ?? String(v);
    } catch {
      return String(v);
    }
  };
  // A new console object: the sandbox's own is frozen.
  (globalThis as { console: unknown }).console = Object.fromEntries(
    Object.entries(levels).map(([method, level]) => [
      method,
      (...args: unknown[]) => {
        if (inWorkflowContext()) workflowLog[level](args.map(text).join(' '), flowMeta({ source: 'console' }));
      },
    ]),
  );
}

// What a flow uses besides flow() and tasks(). `log`, `publish` and `TaskOptions` are also in `sluice` (for tasks):
// the same objects, so each file imports from the one entry for where its code runs.
export { log, type Logger, type LogFields } from './log';
export { scheduledTime } from './scheduled-time';
export { ask, type Answer, type AskOptions } from './ask';
export { QUESTION_TIMED_OUT } from './questions';
export { publish, ArtifactError, type TableOptions, type ArtifactOptions } from './publish';
export type { Artifact, ChartArtifact, ImageArtifact, LinkArtifact, MarkdownArtifact, TableArtifact } from './artifacts';
export type { TaskOptions, Duration } from './task-options';
export type { DeploymentDeclaration, OverlapPolicy } from './client/types';
export type { NotifyEvent, NotifyRule } from './notify/types';
export type { ConcurrencyLimit, RateLimit } from './limits/limit-types';
export { pythonTasks, PYTHON_TASK_UNKNOWN } from './python-tasks';
export { childFlow, startChildFlow, type ChildFlowOptions, type FlowParameters, type FlowResult } from './child-flow';

export {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  condition,
  deprecatePatch,
  isCancellation,
  patched,
  sleep,
  workflowInfo,
} from './flow-helpers';
