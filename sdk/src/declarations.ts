/**
 * Where `flow()` and `task()` keep what was declared, and how the worker reads it back. Internal: not in the
 * package's public entries. `Symbol.for`, so a flow or task made by another copy of the package is still read.
 */
import type { FlowDeclaration } from './flow';
import type { TaskOptions } from './task-options';

export const FLOW_DECLARATION = Symbol.for('sluice.flow.declaration');
export const TASK_OPTIONS = Symbol.for('sluice.task.options');

/** The declaration of a flow, or undefined when `value` is not one (so a workflows module may export helpers). */
export function flowDeclaration(value: unknown): FlowDeclaration | undefined {
  return typeof value === 'function' ? (value as unknown as Record<symbol, FlowDeclaration | undefined>)[FLOW_DECLARATION] : undefined;
}

/** The options a task declared, or undefined for a plain function (which gets the defaults). */
export function declaredTaskOptions(fn: unknown): TaskOptions | undefined {
  return typeof fn === 'function' ? (fn as unknown as Record<symbol, TaskOptions | undefined>)[TASK_OPTIONS] : undefined;
}
