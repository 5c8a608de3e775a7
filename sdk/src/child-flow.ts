/**
 * Child flows: a flow starts another flow of its repository as a run of its own, with its own page, logs and
 * history, and waits for its result. Temporal's `executeChild` with what makes the child a Sluice run: the
 * flow's name as its workflow type (a flow function's own `name` is not its export name, so it is given as
 * text, typed by a type-only import as `tasks<typeof …>()` is), the search attributes the runs list filters on,
 * and a readable workflow id under the parent's.
 *
 * @example
 * import type { stationReport } from './station-report';
 * const report = await childFlow<typeof stationReport>('stationReport', { station: 'Eelde' });
 *
 * Sandbox-safe: only `@temporalio/workflow` and sandbox-safe modules.
 */
import { executeChild, startChild, uuid4, workflowInfo, type ChildWorkflowHandle, type ChildWorkflowOptions } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { runSearchAttributes } from './run-attributes';

/** Any Sluice flow (what `flow()` returns): one optional parameters object in, a promise of its result out. */
// `any[]`, not `(parameters?: never)`: with the latter TypeScript reads Parameters<F> as never.
type AnyFlow = (...args: any[]) => Promise<unknown>;

/**
 * What a flow takes: the input of its zod schema.
 *
 * @example
 * const parameters: FlowParameters<typeof stationReport> = { station: 'Eelde' };
 */
export type FlowParameters<F extends AnyFlow> = NonNullable<Parameters<F>[0]>;
/**
 * What a flow returns.
 *
 * @example
 * const reports: FlowResult<typeof stationReport>[] = await Promise.all(stations.map((station) => childFlow<typeof stationReport>('stationReport', { station })));
 */
export type FlowResult<F extends AnyFlow> = Awaited<ReturnType<F>>;

/**
 * How a child flow runs: its workflow id and its longest time.
 *
 * @example
 * await childFlow<typeof stationReport>('stationReport', { station }, { id: `report-${station}`, runTimeout: '30 minutes' });
 */
export interface ChildFlowOptions {
  /** The child's workflow id; default `<parent's workflow id>.<flow>.<8 random hex>` (replay-safe). Unique per run. */
  id?: string;
  /**
   * Longest the child may take (e.g. '30 minutes'); then it ends as timed out and the parent's await throws.
   * Default: none of its own; the parent's runTimeout bounds it, since a child ends with its parent.
   */
  runTimeout?: Duration;
}

/** The child as Temporal sees it: a workflow of one parameters argument (or none). */
type ChildOf<F extends AnyFlow> = (...args: unknown[]) => Promise<FlowResult<F>>;

function childOptions(name: string, parameters: unknown, options: ChildFlowOptions): ChildWorkflowOptions & { args: unknown[] } {
  const parent = workflowInfo();
  return {
    workflowId: options.id ?? `${parent.workflowId}.${name}.${uuid4().slice(0, 8)}`,
    args: parameters === undefined ? [] : [parameters],
    ...(options.runTimeout !== undefined ? { workflowExecutionTimeout: options.runTimeout } : {}),
    typedSearchAttributes: runSearchAttributes({ flow: name, startedBy: `flow:${parent.workflowId}` }),
  };
}

/**
 * Runs flow `name` (its export name in the workflows module) as a child run and returns its result. A failed
 * child throws `ChildWorkflowFailure` (its `cause` is the child's own failure); catch it to carry on.
 *
 * @example
 * import type { stationReport } from './station-report';
 * const report = await childFlow<typeof stationReport>('stationReport', { station: 'Eelde' });
 */
export function childFlow<F extends AnyFlow>(name: string, parameters?: FlowParameters<F>, options: ChildFlowOptions = {}): Promise<FlowResult<F>> {
  return executeChild<ChildOf<F>>(name, childOptions(name, parameters, options));
}

/**
 * Starts flow `name` as a child run and returns once it has started: `handle.workflowId`, and
 * `handle.result()` to wait for it later (for instance after starting several).
 *
 * @example
 * const handles = await Promise.all(stations.map((station) => startChildFlow<typeof stationReport>('stationReport', { station })));
 * const reports = await Promise.all(handles.map((handle) => handle.result()));
 */
export function startChildFlow<F extends AnyFlow>(
  name: string,
  parameters?: FlowParameters<F>,
  options: ChildFlowOptions = {},
): Promise<ChildWorkflowHandle<ChildOf<F>>> {
  return startChild<ChildOf<F>>(name, childOptions(name, parameters, options));
}
