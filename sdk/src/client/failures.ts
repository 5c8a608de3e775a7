/** Temporal failures (as the history records them) turned into what a reader needs: the cause first. */
import type { temporal } from '@temporalio/proto';
import type { RunFailure } from './types';

type ProtoFailure = temporal.api.failure.v1.IFailure;

/**
 * The readable message is the innermost cause's: a flow that failed because a task failed reads
 * "Unknown station …", not "Activity task failed".
 */
export function failureOf(f: ProtoFailure | null | undefined): RunFailure | null {
  if (!f) return null;
  const chain: ProtoFailure[] = [];
  for (let c: ProtoFailure | null | undefined = f; c; c = c.cause) chain.push(c);
  const root = chain[chain.length - 1]!;
  const stackOf = chain.map((c) => c.stackTrace).filter(Boolean);
  return {
    message: root.message || f.message || 'failed',
    type: typeOf(root),
    stack: stackOf.length ? stackOf.join('\n--- caused ---\n') : null,
    causes: chain.map((c) => ({ message: c.message ?? '', type: typeOf(c) })),
  };
}

function typeOf(f: ProtoFailure): string | null {
  if (f.applicationFailureInfo) return f.applicationFailureInfo.type || null;
  if (f.timeoutFailureInfo) return 'Timeout';
  if (f.canceledFailureInfo) return 'Cancelled';
  if (f.terminatedFailureInfo) return 'Terminated';
  if (f.activityFailureInfo) return 'TaskFailure';
  return null;
}
