/**
 * The server-side checks every page, server action and route handler makes: is there a session (or an
 * API token), and does its role allow this? The session and the role are checked against the store on
 * every request, so a log-out, a changed role or a disabled user takes effect at once, not when the
 * session cookie expires.
 */
import 'server-only';
import { getServerSession } from 'next-auth';
import { StoreUnavailableError } from 'sluice/internal/store';
import { forbidden, redirect } from 'next/navigation';
import { headers } from 'next/headers';
import { getStore } from '../sluice.server';
import { apiError } from './api-error';
import { getAuthOptions, STORE_UNAVAILABLE_SESSION } from './options';
import { hasRole, isRole, ROLE_CAN, type Role } from './roles';
import { WORKER_API_PATH } from 'sluice/internal/worker-api';
import { judgeWorker, WORKER_HEADER, type WorkerDeclaration } from 'sluice/internal/compat';
import { lookUpApiToken, type ApiToken } from './tokens';
import { SluiceError } from 'sluice/internal/errors';

export type { Role } from './roles';

export interface SessionUser {
  /** The user's id in the store, or `token:<id>` for an API token. */
  id: string;
  /** The user's email; empty for an API token. */
  email: string;
  /** The user's name, or the API token's name. */
  name: string | null;
  role: Role;
  kind: 'user' | 'token';
  /** What runs started by this caller record as "started by": `user:<email>` or `token:<name>`. */
  startedBy: string;
}

/** Thrown by `authorizeAction`; its message can be shown to the user as a form error. */
export class AuthorizationError extends SluiceError {
  static override readonly code = 'not_authorized';
  static override readonly kind = 'forbidden';

  override name = 'AuthorizationError';
  constructor(
    message: string,
    readonly reason: 'no-session' | 'role',
  ) {
    super(message);
  }
}

/** Header the proxy sets to the requested path, so a page can send the user back after log-in. */
export const PATH_HEADER = 'x-sluice-path';

function refusal(user: SessionUser, minRole: Role): string {
  return `This needs the ${minRole} role (to ${ROLE_CAN[minRole]}); ${user.kind === 'token' ? 'this token' : 'you'} ${user.kind === 'token' ? 'has' : 'have'} the ${user.role} role. Ask an admin.`;
}

/**
 * The logged-in user of this request, or null. Does not redirect: for layouts and the log-in page. The
 * session's role and status were read from the store by this very call (options.ts → sessions.ts), so a
 * revoked session, a disabled user or a changed role counts at once. Throws StoreUnavailableError when the
 * store did not answer that read (the session stays: an outage logs nobody out).
 */
export async function currentUser(): Promise<SessionUser | null> {
  const session = await getServerSession(getAuthOptions());
  if (session && STORE_UNAVAILABLE_SESSION in session) {
    throw new StoreUnavailableError('The store did not answer while checking your session. Try again shortly; you stay logged in.');
  }
  const user = session?.user as { id?: string; email?: string; name?: string | null; role?: string } | undefined;
  if (!user?.id || !user.email || !isRole(user.role)) return null;
  return { id: user.id, email: user.email, name: user.name ?? null, role: user.role, kind: 'user', startedBy: `user:${user.email}` };
}

/**
 * For the frame of every page and the log-in page: the user, or null when nobody is logged in or the store cannot
 * say now (the page itself then shows the store's outage, or the log-in form does).
 */
export async function currentUserIfKnown(): Promise<SessionUser | null> {
  try {
    return await currentUser();
  } catch (err) {
    if (err instanceof StoreUnavailableError) return null;
    throw err;
  }
}

/**
 * For pages (server components): the user, or a redirect to /login (coming back here afterwards) when
 * nobody is logged in, or the 403 page when their role is too low.
 *
 * @example const user = await requireUser('operator');
 */
export async function requireUser(minRole: Role = 'viewer'): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) {
    const path = (await headers()).get(PATH_HEADER);
    redirect(path && path.startsWith('/') && !path.startsWith('//') ? `/login?next=${encodeURIComponent(path)}` : '/login');
  }
  if (!hasRole(user.role, minRole)) forbidden();
  return user;
}

/**
 * For server actions: the user, or AuthorizationError (return its message as the form's error).
 *
 * @example
 * let user; try { user = await authorizeAction('operator') } catch (e) { return { error: (e as Error).message } }
 */
export async function authorizeAction(minRole: Role): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) throw new AuthorizationError('Your session has ended. Log in again, then retry.', 'no-session');
  if (!hasRole(user.role, minRole)) throw new AuthorizationError(refusal(user, minRole), 'role');
  return user;
}

/**
 * For route handlers: the caller from `Authorization: Bearer slc_…` or the session cookie, or the
 * Response to return (401 without either, 403 when the role is too low), JSON `{ error: { code, message } }`.
 * Throws when the store does not answer: call it inside `answer` (app/api/_lib/respond.ts), which makes that a 503.
 *
 * @example
 * return answer('list runs', async () => {
 *   const caller = await authorizeRequest(req, 'operator');
 *   if (caller instanceof Response) return caller;
 *   …
 * });
 */
export async function authorizeRequest(req: Request, minRole: Role): Promise<SessionUser | Response> {
  let caller: SessionUser | null;
  const bearer = await bearerToken(req);
  if (bearer instanceof Response) return bearer;
  if (bearer) {
    const token = bearer;
    // A worker holds the least it needs: its own runs' lines and its own queues' flows, through the worker API only.
    if (token.role === 'worker') {
      return apiError('forbidden', `This is a worker token ('${token.name}'): it may use only the worker API (${WORKER_API_PATH}/…), for its task queues. Use a viewer, operator or admin token here.`);
    }
    caller = { id: `token:${token.id}`, email: '', name: token.name, role: token.role, kind: 'token', startedBy: `token:${token.name}` };
  } else {
    caller = await currentUser();
    if (!caller) return apiError('unauthorized', 'Log in first, or send an API token: Authorization: Bearer slc_…');
  }
  if (!hasRole(caller.role, minRole)) return apiError('forbidden', refusal(caller, minRole));
  return caller;
}

/** A worker token's caller: its name, the task queues it may serve, and what it declared itself (`Sluice-Worker`). */
export interface WorkerCaller {
  tokenId: number;
  name: string;
  taskQueues: readonly string[];
  /** Its Sluice version and worker protocol; null when it sent no `Sluice-Worker` header (allowed but on hello). */
  worker: WorkerDeclaration | null;
}

/**
 * For the worker API's route handlers: the worker token of `Authorization: Bearer slc_…`, or the Response to
 * return — 401 without a valid token, 403 for a session or a token of another role (the worker API is for
 * workers alone, so a leaked admin token is no worker either), 400/409 for a `Sluice-Worker` declaration that is
 * malformed or of a version this server does not serve. Call it inside `answer`, like authorizeRequest.
 */
export async function authorizeWorker(req: Request, options: { declared?: 'required' | 'optional' } = {}): Promise<WorkerCaller | Response> {
  const bearer = await bearerToken(req);
  if (bearer instanceof Response) return bearer;
  if (!bearer) return apiError('unauthorized', 'The worker API needs a worker token: Authorization: Bearer slc_… (an admin creates one with the worker role on the Tokens page, or `npm run user -- token create NAME --role worker --queues Q`).');
  if (bearer.role !== 'worker' || !bearer.taskQueues) {
    return apiError('forbidden', `The worker API takes worker tokens only; '${bearer.name}' has the ${bearer.role} role.`);
  }
  // A worker declares its version and protocol (sluice/compat): one this server does not serve is refused (409) on
  // any route, naming both versions; hello, the start-up handshake, requires the declaration (400 without it).
  const header = req.headers.get(WORKER_HEADER);
  let worker: WorkerDeclaration | null = null;
  if (header !== null || options.declared === 'required') {
    const verdict = judgeWorker(header);
    if (!verdict.ok) return apiError(verdict.code, verdict.message);
    worker = verdict.worker;
  }
  return { tokenId: bearer.id, name: bearer.name, taskQueues: bearer.taskQueues, worker };
}

/**
 * The API token a request names, null when it names none, or the 401 to return. A request that names a token
 * is judged by the token alone, never by a cookie sent along.
 */
async function bearerToken(req: Request): Promise<ApiToken | null | Response> {
  const authorization = req.headers.get('authorization');
  if (authorization === null) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) return apiError('unauthorized', 'The Authorization header must be "Bearer <token>", with a token an admin created (it starts with slc_).');
  const store = await getStore();
  const found = await lookUpApiToken(store.db, match[1]);
  if ('refused' in found) return apiError('unauthorized', found.refused);
  return found.token;
}
