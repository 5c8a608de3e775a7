/**
 * Shared plumbing of the HTTP API's route handlers: parse inputs with zod (400 with the issues), and map
 * what the engine throws to a status — never a 500 for something the caller got wrong, never a stack.
 */
import type { z } from 'zod';
import { apiError, type ApiIssue } from '@/lib/auth/api-error';
import { errorAnswer } from 'sluice/internal/errors';
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
    ...(waiting === 'input' ? { waitingForInput: true } : {}),
    ...(waiting === 'slot' ? { waitingForSlot: true } : {}),
    ...(after ? { startedAfter: new Date(after) } : {}),
    ...(before ? { startedBefore: new Date(before) } : {}),
  };
}

/**
 * Runs a handler body (authorization included: the guard reads the store); what it throws becomes the answer
 * sluice/errors' `errorAnswer` gives (400/404/409/422 for the caller's mistakes, 503 when the store or Temporal
 * does not answer, else a 500 without details), and the server log keeps what is not the caller's doing.
 */
export async function answer(what: string, work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (err) {
    const answered = errorAnswer(err, what);
    // A service not answering: its message is enough. Anything else: the whole error, stack included.
    if (answered.log) console.error(`[sluice] ${answered.log}:`, answered.status === 503 ? (err as Error)?.message : err);
    return apiError(answered.code, answered.message, answered.issues);
  }
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
