/**
 * Shared plumbing of the HTTP API's route handlers: parse inputs with zod (400 with the issues), and map
 * what the engine throws to a status — never a 500 for something the caller got wrong, never a stack.
 */
import type { z } from 'zod';
import { apiError, type ApiIssue } from '@/lib/auth/api-error';
import { isStoreUnavailable } from 'sluice/store';
import { getEnv } from '@/lib/env';
import { readJsonBody, type JsonBodyOptions } from './json-body';
import { queryObject } from './schemas';
import type { RunFilter, RunStatus } from 'sluice/client';

export type Parsed<T> = { ok: true; value: T } | { ok: false; response: Response };

function issuesOf(error: z.ZodError): ApiIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

function described(issues: ApiIssue[], where: string): string {
  return `Invalid ${where}: ${issues.map((i) => (i.path ? `${i.path} ${i.message}` : i.message)).join('; ')}.`;
}

export function parseQuery<S extends z.ZodType>(req: Request, schema: S): Parsed<z.output<S>> {
  const { query, duplicate } = queryObject(new URL(req.url));
  if (duplicate) {
    return { ok: false, response: apiError('bad_request', `The query parameter '${duplicate}' is given more than once; give it once.`) };
  }
  // Neither Temporal's visibility queries nor PostgreSQL accept a NUL character in text.
  const withNul = Object.keys(query).find((key) => key.includes('\0') || query[key].includes('\0'));
  if (withNul !== undefined) {
    return { ok: false, response: apiError('bad_request', `The query parameter '${withNul.replace(/\0/g, '\\0')}' contains a NUL character (%00); remove it.`) };
  }
  const parsed = schema.safeParse(query);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = issuesOf(parsed.error);
  return { ok: false, response: apiError('bad_request', described(issues, 'query'), issues) };
}

/** Path parameters (`params` of the route), checked like a query: 400 naming the parameter. */
export function parsePath<S extends z.ZodType>(params: unknown, schema: S): Parsed<z.output<S>> {
  const parsed = schema.safeParse(params);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = issuesOf(parsed.error);
  return { ok: false, response: apiError('bad_request', described(issues, 'path'), issues) };
}

/** The JSON body (415, 413 or 400 unless it is JSON within the limits, see json-body.ts), checked with `schema`. */
export async function parseBody<S extends z.ZodType>(req: Request, schema: S, options?: JsonBodyOptions): Promise<Parsed<z.output<S>>> {
  const body = await readJsonBody(req, options);
  if (!body.ok) return body;
  const parsed = schema.safeParse(body.value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = issuesOf(parsed.error);
  return { ok: false, response: apiError('bad_request', described(issues, 'body'), issues) };
}

/** The runs list's filters as GET /api/runs takes them (text), as the client takes them. */
export function runFilterOf(q: { flow?: string; deployment?: string; startedBy?: string; status?: string; waiting?: string; after?: string; before?: string }): RunFilter {
  const { status, waiting, after, before, ...rest } = q;
  return {
    ...rest,
    ...(status ? { status: status as RunStatus } : {}),
    ...(waiting ? { waitingForInput: true } : {}),
    ...(after ? { startedAfter: new Date(after) } : {}),
    ...(before ? { startedBefore: new Date(before) } : {}),
  };
}

// Matched by name, not instanceof: Next may load the engine's modules once per route bundle.
const NOT_FOUND = new Set(['UnknownFlowError', 'UnknownDeploymentError', 'RunNotFoundError', 'BackfillNotFoundError']);
const BAD_REQUEST = new Set(['InvalidPageTokenError', 'InvalidBackfillError']);
// gRPC status codes Temporal answers when the request itself is wrong: the caller's input, not the server.
const GRPC_INVALID_ARGUMENT = 3;
const GRPC_NOT_FOUND = 5;

/**
 * Runs a handler body (authorization included: the guard reads the store); engine errors become 400/404/409/422
 * answers, the store or Temporal not answering a 503, anything else a 500 without details.
 */
export async function answer(what: string, work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (err) {
    const e = err as Error & { issues?: ApiIssue[]; code?: unknown; cause?: unknown };
    if (e?.name === 'InvalidParametersError') return apiError('invalid_parameters', e.message, e.issues ?? []);
    if (e?.name === 'InvalidAnswerError') return apiError('invalid_answer', e.message, e.issues ?? []);
    if (e?.name === 'NotWaitingError') return apiError('conflict', e.message);
    if (e?.name === 'AnswerNotTakenError') return apiError('unavailable', e.message);
    if (NOT_FOUND.has(e?.name)) return apiError('not_found', e.message);
    if (BAD_REQUEST.has(e?.name)) return apiError('bad_request', e.message);
    const grpc = grpcCode(e);
    if (grpc === GRPC_INVALID_ARGUMENT) return apiError('bad_request', `Temporal refused to ${what}: ${grpcDetails(e)}. Check the ids and query values.`);
    if (grpc === GRPC_NOT_FOUND) return apiError('not_found', `Temporal found nothing to ${what}: ${grpcDetails(e)}.`);
    // The flow exists but no task queue serves it any more: starting it would hang.
    if (e?.name === 'FlowGoneError') return apiError('conflict', e.message);
    // The store first: its errors carry no gRPC code, and a store that cannot open also fails connecting to Temporal.
    const down = isStoreUnavailable(e) ? 'the store' : isTemporalUnavailable(e) ? 'Temporal' : null;
    if (down) {
      console.error(`[sluice] ${what}: ${down} is not answering:`, e?.message);
      return apiError('unavailable', `Could not ${what}: ${down} is not answering right now. Try again shortly; GET /api/health says when it is back.`);
    }
    console.error(`[sluice] ${what} failed:`, err);
    return apiError('internal', `Something went wrong while trying to ${what}. The server log has the details.`);
  }
}

type Thrown = { name?: string; code?: unknown; details?: unknown; message?: string; cause?: unknown } | undefined;

/** The gRPC status of a Temporal call's failure: on the error, or on its cause (the SDK wraps it in ServiceError). */
function grpcCode(e: Thrown): number | undefined {
  for (let at = e, hops = 0; at && hops < 5; at = at.cause as Thrown, hops++) {
    if (typeof at.code === 'number') return at.code;
  }
  return undefined;
}

/** Temporal's own words for a refusal (gRPC `details`), short and without the status prefix. */
function grpcDetails(e: Thrown): string {
  for (let at = e, hops = 0; at && hops < 5; at = at.cause as Thrown, hops++) {
    if (typeof at.details === 'string' && at.details) return at.details.slice(0, 300);
  }
  return (e?.message ?? 'invalid request').replace(/^\d+ [A-Z_]+: /, '').slice(0, 300);
}

function isTemporalUnavailable(e: Thrown): boolean {
  for (let at = e, hops = 0; at && hops < 5; at = at.cause as Thrown, hops++) {
    // gRPC status 14 (UNAVAILABLE) / 4 (DEADLINE_EXCEEDED), or the client's failed connect.
    if (at.code === 14 || at.code === 4 || at.name === 'TransportError' || at.name === 'TemporalUnreachableError') return true;
    if (/Failed to connect|Cannot reach Temporal/i.test(at.message ?? '')) return true;
  }
  return false;
}

/**
 * The app's public origin: NEXTAUTH_URL when set, else what the caller asked for (Host header; Next's own
 * `req.url` names the server's internal hostname, not the one the caller used).
 */
export function publicOrigin(req: Request): string {
  const configured = getEnv().nextAuthUrl;
  if (configured) return new URL(configured).origin;
  const host = req.headers.get('x-forwarded-host') ?? req.headers.get('host');
  const proto = req.headers.get('x-forwarded-proto') ?? new URL(req.url).protocol.replace(':', '');
  return host ? `${proto}://${host}` : new URL(req.url).origin;
}

/** A run's page in the web app. */
export function runPageUrl(req: Request, ref: { workflowId: string; runId: string }): string {
  return `${publicOrigin(req)}/runs/${encodeURIComponent(ref.workflowId)}/${encodeURIComponent(ref.runId)}`;
}
