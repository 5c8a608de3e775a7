/**
 * The one mapper from what was thrown to what a person reads: the HTTP API's answer (status, `error.code`,
 * message), a page's or a form's message, the `sluice` command's line. Sluice's own errors say what was wrong and
 * what to do; Temporal's refusals of a request become 400/404; the store or Temporal not answering a 503; anything
 * else a 500 whose details stay in the server log — never a stack trace to a user.
 *
 * @example
 * const answer = errorAnswer(err, 'start the run');
 * if (answer.log) console.error(`[sluice] ${answer.log}:`, err);
 * return Response.json({ error: { code: answer.code, message: answer.message } }, { status: answer.status });
 */
import { HTTP_STATUS, SluiceError, type ErrorKind } from './errors';
import { isStoreUnavailable } from './store/errors';

// Light on purpose (no Temporal client, no database driver): the web app's request guard imports the statuses.
export { HTTP_STATUS, SluiceError, type ErrorKind } from './errors';

export interface ErrorIssue {
  path: string;
  message: string;
}

export interface ErrorAnswer {
  status: number;
  /** The HTTP API's `error.code`: the kind of the error. */
  code: ErrorKind;
  /** For the person who asked: what was wrong and what to do. */
  message: string;
  /** Per-field problems (invalid parameters or answers). */
  issues?: ErrorIssue[];
  /** Set when the server log should keep the error: why, in a few words (the caller logs the error itself). */
  log?: string;
}

// gRPC status codes Temporal answers when the request itself is wrong: the caller's input, not the server.
const GRPC_INVALID_ARGUMENT = 3;
const GRPC_NOT_FOUND = 5;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

type Thrown = { name?: unknown; code?: unknown; details?: unknown; message?: unknown; cause?: unknown } | undefined;

/** `err` and the errors it wraps (through `cause`), at most five deep. */
function* chain(err: unknown): Generator<NonNullable<Thrown>> {
  for (let at = err as Thrown, hops = 0; at && typeof at === 'object' && hops < 5; at = at.cause as Thrown, hops++) yield at;
}

/** The gRPC status of a Temporal call's failure: on the error, or on its cause (the SDK wraps it in ServiceError). */
function grpcCode(err: unknown): number | undefined {
  for (const at of chain(err)) if (typeof at.code === 'number') return at.code;
  return undefined;
}

/** Temporal's own words for a refusal (gRPC `details`), short and without the status prefix. */
function grpcDetails(err: unknown): string {
  for (const at of chain(err)) if (typeof at.details === 'string' && at.details) return at.details.slice(0, 300);
  return String((err as Thrown)?.message ?? 'invalid request').replace(/^\d+ [A-Z_]+: /, '').slice(0, 300);
}

/** Whether Temporal did not answer: gRPC UNAVAILABLE or DEADLINE_EXCEEDED, or the client's failed connect. */
export function isTemporalUnavailable(err: unknown): boolean {
  for (const at of chain(err)) {
    if (at.code === GRPC_UNAVAILABLE || at.code === GRPC_DEADLINE_EXCEEDED) return true;
    // The SDK's TransportError carries no gRPC code; TemporalUnreachableError is known by its code, since importing
    // its class would load the Temporal client.
    if (at.name === 'TransportError' || (at instanceof SluiceError && at.code === 'temporal_unreachable')) return true;
    if (typeof at.message === 'string' && /Failed to connect|Cannot reach Temporal/i.test(at.message)) return true;
  }
  return false;
}

function issuesOf(err: SluiceError): ErrorIssue[] | undefined {
  const issues = (err as { issues?: unknown }).issues;
  return Array.isArray(issues) ? (issues as ErrorIssue[]) : undefined;
}

/**
 * What to answer for `err` thrown while trying to `doing` (e.g. "start the run"), for the HTTP API, a page or a
 * form. `log` is set when the server log should keep the error (anything not the caller's doing).
 */
export function errorAnswer(err: unknown, doing: string): ErrorAnswer {
  const own = err instanceof SluiceError ? err : undefined;
  if (own && own.kind !== 'internal' && own.kind !== 'unavailable') {
    return { status: HTTP_STATUS[own.kind], code: own.kind, message: own.message, ...(issuesOf(own) ? { issues: issuesOf(own) } : {}) };
  }
  const grpc = own ? undefined : grpcCode(err);
  if (grpc === GRPC_INVALID_ARGUMENT) return { status: 400, code: 'bad_request', message: `Temporal refused to ${doing}: ${grpcDetails(err)}. Check the ids and query values.` };
  if (grpc === GRPC_NOT_FOUND) return { status: 404, code: 'not_found', message: `Temporal found nothing to ${doing}: ${grpcDetails(err)}.` };
  // The store first: its errors carry no gRPC code, and a store that cannot open also fails connecting to Temporal.
  const down = isStoreUnavailable(err) ? 'the store' : isTemporalUnavailable(err) ? 'Temporal' : null;
  if (down) {
    return {
      status: 503,
      code: 'unavailable',
      message: `Could not ${doing}: ${down} is not answering right now. Try again shortly; GET /api/health says when it is back.`,
      log: `${doing}: ${down} is not answering`,
    };
  }
  // Unavailable for another reason (no worker took an answer): its message says which and what to do.
  if (own?.kind === 'unavailable') return { status: 503, code: 'unavailable', message: own.message };
  return { status: 500, code: 'internal', message: `Something went wrong while trying to ${doing}. The server log has the details.`, log: `${doing} failed` };
}

/**
 * The one line the `sluice` command prints for `err`: Sluice's own errors as they are (they say what to do),
 * Temporal or the store not answering as such, anything else its message with a hint at `--verbose`.
 */
export function errorLine(err: unknown): string {
  if (err instanceof SluiceError) return err.message;
  const message = err instanceof Error ? err.message : String(err);
  return `${message}\n(run again with --verbose for the details)`;
}
