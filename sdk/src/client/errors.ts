/** Errors the client API throws for what a caller got wrong; each message says what and where. */
import type { ParameterIssue } from '../parameters';
import { invalidParametersMessage } from '../parameters';
import type { RunFailure } from './types';
import { SluiceError } from '../errors';

/**
 * Thrown by `start` and `startDeployment` when the parameters fail the flow's schema; no run was started.
 *
 * @example
 * try { await sluice.start('rainfallReport', { station: 42 }); }
 * catch (e) { if (e instanceof InvalidParametersError) console.error(e.message); else throw e; }
 */
export class InvalidParametersError extends SluiceError {
  static override readonly code = 'invalid_parameters';
  static override readonly kind = 'invalid_parameters';

  constructor(readonly flow: string, readonly issues: ParameterIssue[]) {
    super(invalidParametersMessage(flow, issues));
    this.name = 'InvalidParametersError';
  }
}

/**
 * Thrown when no worker has published a flow of that name (is its worker running?).
 *
 * @example
 * try { await sluice.start('rainfalReport', {}); }
 * catch (e) { if (e instanceof UnknownFlowError) console.error(e.message); else throw e; }
 */
export class UnknownFlowError extends SluiceError {
  static override readonly code = 'unknown_flow';
  static override readonly kind = 'not_found';

  constructor(readonly flow: string) {
    super(`Unknown flow ${JSON.stringify(flow)}: no worker has published it. Check the name, or start the worker that serves it.`);
    this.name = 'UnknownFlowError';
  }
}

/**
 * Thrown when starting (or re-running) a flow that no task queue serves any more: its queue stopped declaring it.
 * Its past runs stay readable.
 *
 * @example
 * try { await sluice.rerun(oldRun); }
 * catch (e) { if (e instanceof FlowGoneError) console.error('that flow is no longer served'); else throw e; }
 */
export class FlowGoneError extends SluiceError {
  static override readonly code = 'flow_gone';
  static override readonly kind = 'conflict';

  constructor(readonly flow: string, readonly taskQueue: string, readonly goneAt: Date) {
    super(`Flow ${flow} is no longer served: its task queue ${taskQueue} stopped declaring it at ${goneAt.toISOString()}. Its past runs stay readable; to run it again, declare it in a worker again.`);
    this.name = 'FlowGoneError';
  }
}

/**
 * Thrown when a flow declares no deployment of that name.
 *
 * @example
 * try { await sluice.startDeployment('rainfallReport', 'hourly'); }
 * catch (e) { if (e instanceof UnknownDeploymentError) console.error(e.message); else throw e; }
 */
export class UnknownDeploymentError extends SluiceError {
  static override readonly code = 'unknown_deployment';
  static override readonly kind = 'not_found';

  constructor(readonly flow: string, readonly deployment: string) {
    super(`Flow ${flow} has no deployment ${JSON.stringify(deployment)}.`);
    this.name = 'UnknownDeploymentError';
  }
}

/**
 * Thrown when a run does not exist (or is past the namespace's retention).
 *
 * @example
 * try { await sluice.cancelRun({ workflowId: 'no-such-run' }); }
 * catch (e) { if (e instanceof RunNotFoundError) console.error(e.message); else throw e; }
 */
export class RunNotFoundError extends SluiceError {
  static override readonly code = 'run_not_found';
  static override readonly kind = 'not_found';

  constructor(readonly workflowId: string, readonly runId?: string) {
    super(`No run ${workflowId}${runId ? ` (${runId})` : ''}.`);
    this.name = 'RunNotFoundError';
  }
}

/**
 * Thrown by `waitForResult` when the run did not complete; `failure.message` is the readable cause.
 *
 * @example
 * try { await sluice.waitForResult(run); }
 * catch (e) { if (e instanceof RunFailedError) console.error(e.status, e.failure?.message); else throw e; }
 */
export class RunFailedError extends SluiceError {
  static override readonly code = 'run_failed';

  constructor(readonly status: string, readonly failure: RunFailure | null) {
    super(`The run ${status}${failure ? `: ${failure.message}` : ''}`);
    this.name = 'RunFailedError';
  }
}

/**
 * Thrown by `listRuns` when Temporal refuses the `pageToken`: it is not a `nextPageToken` this namespace handed
 * out (edited, truncated, or from another server). The filters are built by the client, so the token is the cause.
 *
 * @example
 * try { await sluice.listRuns({}, { pageToken: 'edited' }); }
 * catch (e) { if (e instanceof InvalidPageTokenError) console.error('start again from the first page'); else throw e; }
 */
export class InvalidPageTokenError extends SluiceError {
  static override readonly code = 'invalid_page_token';
  static override readonly kind = 'bad_request';

  constructor() {
    super('pageToken is not a page token Temporal handed out: pass back the nextPageToken of the previous page unchanged, or leave it out for the first page.');
    this.name = 'InvalidPageTokenError';
  }
}

/**
 * Thrown by `answer` when the question's schema refuses the answer; the run keeps waiting.
 *
 * @example
 * try { await sluice.answer(run, { value: { load: 'yes' } }); }
 * catch (e) { if (e instanceof InvalidAnswerError) console.error(e.issues); else throw e; }
 */
export class InvalidAnswerError extends SluiceError {
  static override readonly code = 'invalid_answer';
  static override readonly kind = 'invalid_answer';

  constructor(message: string, readonly issues: ParameterIssue[]) {
    super(message);
    this.name = 'InvalidAnswerError';
  }
}

/**
 * Thrown by `answer` when the run waits for no answer (to that question) now: answered already, timed out, or closed.
 *
 * @example
 * try { await sluice.answer(run, { value: { load: true } }); }
 * catch (e) { if (e instanceof NotWaitingError) console.error('answered already, or the run ended'); else throw e; }
 */
export class NotWaitingError extends SluiceError {
  static override readonly code = 'not_waiting';
  static override readonly kind = 'conflict';

  constructor(message: string) {
    super(message);
    this.name = 'NotWaitingError';
  }
}

/**
 * Thrown by `answer` when no worker took the answer in time (is the worker serving the run's task queue running?).
 *
 * @example
 * try { await sluice.answer(run, { value: { load: true } }); }
 * catch (e) { if (e instanceof AnswerNotTakenError) console.error('is the worker running?'); else throw e; }
 */
export class AnswerNotTakenError extends SluiceError {
  static override readonly code = 'answer_not_taken';
  static override readonly kind = 'unavailable';

  constructor(readonly workflowId: string, readonly taskQueue: string, seconds: number) {
    super(`No worker took the answer within ${seconds} s: is a worker serving task queue ${taskQueue} running? The answer may still be recorded when one starts; reload the run to see.`);
    this.name = 'AnswerNotTakenError';
  }
}

/**
 * Thrown by `previewBackfill` and `backfill` when the range is wrong (reversed, in the future, too many slots);
 * nothing started.
 *
 * @example
 * try { await sluice.backfill({ flow: 'rainfallReport', deployment: 'daily', from: '2026-03-31', to: '2026-03-01' }); }
 * catch (e) { if (e instanceof InvalidBackfillError) console.error(e.message); else throw e; }
 */
export class InvalidBackfillError extends SluiceError {
  static override readonly code = 'invalid_backfill';
  static override readonly kind = 'bad_request';

  constructor(message: string) {
    super(message);
    this.name = 'InvalidBackfillError';
  }
}

/**
 * Thrown when no backfill has that id.
 *
 * @example
 * try { await sluice.cancelBackfill('no-such-backfill'); }
 * catch (e) { if (e instanceof BackfillNotFoundError) console.error(e.message); else throw e; }
 */
export class BackfillNotFoundError extends SluiceError {
  static override readonly code = 'backfill_not_found';
  static override readonly kind = 'not_found';

  constructor(readonly id: string) {
    super(`No backfill ${JSON.stringify(id)}. Check the id; backfills older than the namespace's retention are gone.`);
    this.name = 'BackfillNotFoundError';
  }
}
