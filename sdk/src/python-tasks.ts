/**
 * `pythonTasks()` gives a flow the tasks a Python worker serves on its own task queue, typed by an interface
 * the flow declares, each with the retry policy and timeouts its `@task(...)` declared in Python.
 *
 * @example
 * interface Hydrology { interpolate(grid: Grid): Promise<Surface> }
 * const { interpolate } = pythonTasks<Hydrology>('hydrology');
 * const surface = await interpolate(grid);
 *
 * How the Python options reach the flow, replay-safe: the Python worker publishes its tasks and their options
 * to the store (the `tasks` table) when it starts. The first Python call of a run on a queue reads them through
 * a local task of the flow's own worker (SLUICE_TASK_CATALOG), whose result Temporal records in the run's
 * history: a replay reads the same options from there, whatever the catalog holds by then. A later run reads
 * the catalog afresh, so a restarted Python worker's new policy applies from the next run on.
 *
 * Sandbox-safe: flows import this module inside Temporal's deterministic sandbox.
 */
import { ApplicationFailure, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import { withLimits } from './limits/acquire';
import { taskLimitsOf } from './limits/declared-limits';
import { effectiveTaskOptions, SLUICE_TASK_CATALOG, toActivityOptions, type TaskOptions } from './task-options';

/**
 * The error type of a call to a Python task no worker on the queue declares.
 *
 * @example
 * if (failure.type === PYTHON_TASK_UNKNOWN) log.error('deploy the Python worker first');
 */
export const PYTHON_TASK_UNKNOWN = 'PythonTaskUnknown';

type Catalog = Record<string, TaskOptions>;
type Fns = Record<string, (...args: unknown[]) => Promise<unknown>>;

const lookup = proxyLocalActivities<Record<typeof SLUICE_TASK_CATALOG, (taskQueue: string) => Promise<Catalog>>>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 5, initialInterval: '1s' },
})[SLUICE_TASK_CATALOG];

// Per run: Temporal evaluates a flow's modules afresh for each run it holds (and again when it replays one after
// an eviction), so this map never outlives the run whose history recorded its lookups.
const catalogs = new Map<string, Promise<Catalog>>();

function catalogOf(taskQueue: string): Promise<Catalog> {
  let catalog = catalogs.get(taskQueue);
  if (!catalog) {
    catalog = lookup(taskQueue);
    catalogs.set(taskQueue, catalog);
  }
  return catalog;
}

/** Thrown (as a non-retryable failure of the run) when no worker on the queue declares the task called. */
function unknownTask(name: string, taskQueue: string, catalog: Catalog): ApplicationFailure {
  const known = Object.keys(catalog);
  return ApplicationFailure.create({
    type: PYTHON_TASK_UNKNOWN,
    nonRetryable: true,
    message:
      `No Python worker declares task '${name}' on task queue '${taskQueue}' ` +
      (known.length ? `(its tasks: ${known.join(', ')}). ` : '(no Python worker has published tasks on it). ') +
      `Start \`python -m sluice worker MODULE --task-queue ${taskQueue}\` with a module whose @task functions include ${name}.`,
  });
}

/**
 * The Python tasks served on `taskQueue`, typed by `T` (an interface of async functions taking and returning
 * JSON-shaped values). `overrides` replace parts of the declared options for the calls made through it. A
 * declared `concurrency` or `rate_limit` is taken by the flow before each call, as for a TypeScript task.
 * Errors arrive as ActivityFailure whose cause is an ApplicationFailure with the Python exception's class name
 * as `type` and its message.
 *
 * @example
 * interface Hydrology { discharge(station: string, days: number): Promise<number[]> }
 * const { discharge } = pythonTasks<Hydrology>('hydrology-py', { timeout: '10m' });
 * const series = await discharge('Lobith', 30);
 */
export function pythonTasks<T extends object>(taskQueue: string, overrides?: TaskOptions): T {
  return new Proxy({} as T, {
    get(_, name) {
      if (typeof name !== 'string' || name === 'then') return undefined;
      return async (...args: unknown[]) => {
        const catalog = await catalogOf(taskQueue);
        const declared = catalog[name];
        if (!declared) throw unknownTask(name, taskQueue, catalog);
        const call = () => proxyActivities<Fns>({ ...toActivityOptions(declared, overrides), taskQueue })[name]!(...args);
        // A declared concurrency or rate limit (`@task(concurrency=…, rate_limit=…)`) is taken here, in the flow,
        // before the call is scheduled: as for a TypeScript task, a waiting call is never "running".
        const limits = taskLimitsOf(name, effectiveTaskOptions(declared, overrides));
        return limits.length ? withLimits(limits, call) : call();
      };
    },
  });
}
