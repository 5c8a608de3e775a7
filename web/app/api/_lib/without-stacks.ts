/**
 * A run as the HTTP API returns it: failures keep their message, type and causes but not the stack
 * (the run page shows stacks to logged-in people; API bodies carry no stack traces).
 */
import type { RunDetail, RunFailure } from 'sluice/client';

function strip(failure: RunFailure | null): Omit<RunFailure, 'stack'> | null {
  if (!failure) return null;
  const { stack: _stack, ...rest } = failure;
  return rest;
}

export function withoutStacks(run: RunDetail) {
  return {
    ...run,
    failure: strip(run.failure),
    stuckOn: run.stuckOn && { ...run.stuckOn, failure: strip(run.stuckOn.failure) },
    tasks: run.tasks.map((t) => ({ ...t, lastFailure: strip(t.lastFailure) })),
  };
}
