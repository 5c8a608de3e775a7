/**
 * Temporal's workflow API a flow needs beyond tasks, from the one package a repository depends on, so flows
 * import only `sluice/flow`: durable timers, changing code under running runs, cancellation, the run's own
 * facts and the failures a flow may catch. They are Temporal's own functions and classes, re-exported with an
 * example each (your editor shows it); Temporal's documentation has the details.
 *
 * Sandbox-safe: only `@temporalio/workflow`.
 */
import * as workflow from '@temporalio/workflow';

/**
 * A durable timer: the run sleeps on Temporal's clock, survives worker restarts, and costs nothing meanwhile.
 *
 * @example
 * await sleep('6 hours'); // or milliseconds: sleep(60_000)
 */
export const sleep: typeof workflow.sleep = workflow.sleep;

/**
 * Waits until `fn()` is true (re-checked after each signal, update or task result), or until the timeout;
 * with a timeout it resolves `false` when the time ran out.
 *
 * @example
 * const arrived = await condition(() => files.length > 0, '2 hours');
 */
export const condition: typeof workflow.condition = workflow.condition;

/**
 * Changing a flow while runs of it are open: `true` in runs that reach this point on the new code, `false` in
 * runs that already passed it on the old code, so both replay (docs/cookbook.md, docs/replay.md).
 *
 * @example
 * const unit = patched('rainfall-in-mm') ? 'mm' : 'cm';
 */
export const patched: typeof workflow.patched = workflow.patched;

/**
 * Marks a `patched()` id as no longer needed once no open run took the old path; remove the call later.
 *
 * @example
 * deprecatePatch('rainfall-in-mm');
 */
export const deprecatePatch: typeof workflow.deprecatePatch = workflow.deprecatePatch;

/**
 * The run's own facts: its workflow id, run id, attempt, task queue, start time.
 *
 * @example
 * log.info('report for', { run: workflowInfo().workflowId });
 */
export const workflowInfo: typeof workflow.workflowInfo = workflow.workflowInfo;

/**
 * True when `err` is (or was caused by) a cancellation: the run was cancelled, and cleanup may follow.
 *
 * @example
 * try { await longTask(); } catch (err) { if (isCancellation(err)) await CancellationScope.nonCancellable(() => cleanUp()); throw err; }
 */
export const isCancellation: typeof workflow.isCancellation = workflow.isCancellation;

/**
 * Scopes of cancellation: run cleanup that a cancelled run must still do (`nonCancellable`), or give part of a
 * flow its own deadline (`withTimeout`).
 *
 * @example
 * await CancellationScope.nonCancellable(() => releaseLock(basin));
 */
export const CancellationScope = workflow.CancellationScope;
export type CancellationScope = workflow.CancellationScope;

/**
 * What a flow catches when a task failed after its retries: `cause` is the task's own error
 * (an `ApplicationFailure` with the thrown error's `type` and message).
 *
 * @example
 * try { await fetchRainfall('Eelde', 7); } catch (err) { if (err instanceof ActivityFailure) log.warn('no rainfall', { cause: err.cause?.message }); else throw err; }
 */
export const ActivityFailure = workflow.ActivityFailure;
export type ActivityFailure = workflow.ActivityFailure;

/**
 * What a flow catches when a child flow failed: `cause` is the child's own failure.
 *
 * @example
 * try { await childFlow('stationReport', { station }); } catch (err) { if (!(err instanceof ChildWorkflowFailure)) throw err; }
 */
export const ChildWorkflowFailure = workflow.ChildWorkflowFailure;
export type ChildWorkflowFailure = workflow.ChildWorkflowFailure;

/**
 * A failure with a `type` a flow or task throws on purpose; `ApplicationFailure.nonRetryable(...)` is not
 * retried, and a flow that throws one fails its run with that message.
 *
 * @example
 * throw ApplicationFailure.nonRetryable(`station ${station} is unknown`, 'StationUnknown');
 */
export const ApplicationFailure = workflow.ApplicationFailure;
export type ApplicationFailure = workflow.ApplicationFailure;
