/** Errors the client API throws for what a caller got wrong; each message says what and where. */
import type { ParameterIssue } from '../parameters';
import { invalidParametersMessage } from '../parameters';
import type { RunFailure } from './types';

/** Thrown by `start` and `startDeployment` when the parameters fail the flow's schema; no run was started. */
export class InvalidParametersError extends Error {
  constructor(readonly flow: string, readonly issues: ParameterIssue[]) {
    super(invalidParametersMessage(flow, issues));
    this.name = 'InvalidParametersError';
  }
}

/** Thrown when no worker has published a flow of that name (is its worker running?). */
export class UnknownFlowError extends Error {
  constructor(readonly flow: string) {
    super(`Unknown flow ${JSON.stringify(flow)}: no worker has published it. Check the name, or start the worker that serves it.`);
    this.name = 'UnknownFlowError';
  }
}

/**
 * Thrown when starting (or re-running) a flow that no task queue serves any more: its queue stopped declaring it.
 * Its past runs stay readable.
 */
export class FlowGoneError extends Error {
  constructor(readonly flow: string, readonly taskQueue: string, readonly goneAt: Date) {
    super(`Flow ${flow} is no longer served: its task queue ${taskQueue} stopped declaring it at ${goneAt.toISOString()}. Its past runs stay readable; to run it again, declare it in a worker again.`);
    this.name = 'FlowGoneError';
  }
}

/** Thrown when a flow declares no deployment of that name. */
export class UnknownDeploymentError extends Error {
  constructor(readonly flow: string, readonly deployment: string) {
    super(`Flow ${flow} has no deployment ${JSON.stringify(deployment)}.`);
    this.name = 'UnknownDeploymentError';
  }
}

/** Thrown when a run does not exist (or is past the namespace's retention). */
export class RunNotFoundError extends Error {
  constructor(readonly workflowId: string, readonly runId?: string) {
    super(`No run ${workflowId}${runId ? ` (${runId})` : ''}.`);
    this.name = 'RunNotFoundError';
  }
}

/** Thrown by `waitForResult` when the run did not complete; `failure.message` is the readable cause. */
export class RunFailedError extends Error {
  constructor(readonly status: string, readonly failure: RunFailure | null) {
    super(`The run ${status}${failure ? `: ${failure.message}` : ''}`);
    this.name = 'RunFailedError';
  }
}

/**
 * Thrown by `listRuns` when Temporal refuses the `pageToken`: it is not a `nextPageToken` this namespace handed
 * out (edited, truncated, or from another server). The filters are built by the client, so the token is the cause.
 */
export class InvalidPageTokenError extends Error {
  constructor() {
    super('pageToken is not a page token Temporal handed out: pass back the nextPageToken of the previous page unchanged, or leave it out for the first page.');
    this.name = 'InvalidPageTokenError';
  }
}

/** Thrown by `answer` when the question's schema refuses the answer; the run keeps waiting. */
export class InvalidAnswerError extends Error {
  constructor(message: string, readonly issues: ParameterIssue[]) {
    super(message);
    this.name = 'InvalidAnswerError';
  }
}

/** Thrown by `answer` when the run waits for no answer (to that question) now: answered already, timed out, or closed. */
export class NotWaitingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotWaitingError';
  }
}

/** Thrown by `answer` when no worker took the answer in time (is the worker serving the run's task queue running?). */
export class AnswerNotTakenError extends Error {
  constructor(readonly workflowId: string, readonly taskQueue: string, seconds: number) {
    super(`No worker took the answer within ${seconds} s: is a worker serving task queue ${taskQueue} running? The answer may still be recorded when one starts; reload the run to see.`);
    this.name = 'AnswerNotTakenError';
  }
}

/** Thrown by `previewBackfill` and `backfill` when the range is wrong (reversed, in the future, too many slots); nothing started. */
export class InvalidBackfillError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidBackfillError';
  }
}

/** Thrown when no backfill has that id. */
export class BackfillNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`No backfill ${JSON.stringify(id)}. Check the id; backfills older than the namespace's retention are gone.`);
    this.name = 'BackfillNotFoundError';
  }
}
