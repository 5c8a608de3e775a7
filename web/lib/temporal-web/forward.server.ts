/**
 * Forwards a request for /temporal/… to the Temporal UI server (TEMPORAL_UI_UPSTREAM), after the caller's
 * role has been checked against lib/temporal-web/access.ts. Bodies stream both ways (history long-polls,
 * large histories); only what the UI server needs crosses: never Sluice's session cookie or an
 * Authorization header (the UI server skips its CSRF check when one is present). Its CSRF cookie comes back
 * scoped to /temporal with Sluice's own Secure setting.
 */
import 'server-only';
import { apiError } from '../auth/api-error';
import type { SessionUser } from '../auth/guard';
import { hasRole } from '../auth/roles';
import { TEMPORAL_WEB_PATH } from '../links';
import { decidedByBody, requiredRole, settingsForRole } from './access';

export interface Upstream {
  /** Origin of the UI server, e.g. http://temporal-ui:8080; its public path is /temporal. */
  origin: string;
  /** Mark the CSRF cookie Secure (https only), as Sluice's own cookies are. */
  secureCookies: boolean;
}

/** Largest body read to decide a request (a schedule patch is a few hundred bytes). */
const MAX_DECIDING_BODY = 64 * 1024;
const CSRF_COOKIE = '_csrf';

// Request headers that never reach the UI server: hop-by-hop, Sluice's credentials, ones Next or the UI
// server would act on (method overrides, Authorization skips CSRF), and the client's encodings (we ask for
// plain bodies so nothing has to be decoded twice).
const DROP_REQUEST = new Set([
  'host', 'connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect', 'content-length',
  'cookie', 'authorization', 'authorization-extras', 'origin', 'referer', 'forwarded', 'x-real-ip',
  'x-http-method-override', 'x-http-method', 'x-method-override', 'accept-encoding', 'rsc',
]);
const DROP_REQUEST_PREFIX = ['x-forwarded-', 'x-middleware-', 'x-nextjs-', 'x-invoke-', 'x-sluice-', 'next-', 'proxy-'];
// Response headers: hop-by-hop, lengths and encodings the runtime recomputes, cookies (rewritten below), and
// security headers the web app sets itself (next.config.mjs) — a second, different copy would be ambiguous.
const DROP_RESPONSE = new Set([
  'connection', 'keep-alive', 'transfer-encoding', 'trailer', 'upgrade', 'content-encoding', 'content-length',
  'set-cookie', 'x-frame-options', 'x-content-type-options', 'x-xss-protection',
]);

/**
 * Checks `user`'s role for this request and forwards it, or answers 403.
 *
 * @example return forwardToTemporalWeb(req, user, { origin: 'http://127.0.0.1:8233', secureCookies: false });
 */
export async function forwardToTemporalWeb(req: Request, user: SessionUser, upstream: Upstream): Promise<Response> {
  const url = new URL(req.url);
  const inner = url.pathname.slice(TEMPORAL_WEB_PATH.length) || '/';
  const method = req.method.toUpperCase();

  let body: BodyInit | undefined;
  let parsed: unknown;
  if (decidedByBody(method, inner)) {
    const text = await readSmall(req);
    if (text === null) return apiError('bad_request', `The request body is larger than ${MAX_DECIDING_BODY} bytes.`);
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined; // not JSON: decided as an admin-only request below
    }
    body = text; // the very bytes that were judged
  } else if (method !== 'GET' && method !== 'HEAD') {
    body = req.body ?? undefined;
  }

  const { minRole, action } = requiredRole(method, inner, parsed);
  if (!hasRole(user.role, minRole)) {
    return apiError('forbidden', `Temporal Web through Sluice: to ${action} needs the ${minRole} role; you have the ${user.role} role. Ask an admin.`);
  }

  let answer: Response;
  try {
    answer = await fetch(`${upstream.origin}${url.pathname}${url.search}`, {
      method,
      headers: requestHeaders(req.headers),
      body,
      redirect: 'manual',
      signal: req.signal,
      // A streamed request body (Node's fetch requires saying so).
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit);
  } catch (err) {
    if (req.signal.aborted) return new Response(null, { status: 499 });
    return apiError('unavailable', `Temporal Web (${upstream.origin}, TEMPORAL_UI_UPSTREAM) does not answer: ${(err as Error).cause ?? (err as Error).message}. Is the Temporal UI server running?`);
  }

  const headers = responseHeaders(answer.headers, upstream);
  if (method === 'GET' && inner === '/api/v1/settings' && answer.ok) {
    const settings = (await answer.json()) as Record<string, unknown>;
    return Response.json(settingsForRole(settings, user.role), { status: answer.status, headers });
  }
  return new Response(answer.body, { status: answer.status, statusText: answer.statusText, headers });
}

async function readSmall(req: Request): Promise<string | null> {
  if (Number(req.headers.get('content-length') ?? 0) > MAX_DECIDING_BODY) return null;
  const text = await req.text();
  return Buffer.byteLength(text) > MAX_DECIDING_BODY ? null : text;
}

function requestHeaders(incoming: Headers): Headers {
  const out = new Headers();
  for (const [name, value] of incoming) {
    if (DROP_REQUEST.has(name) || DROP_REQUEST_PREFIX.some((p) => name.startsWith(p))) continue;
    out.set(name, value);
  }
  out.set('accept-encoding', 'identity');
  // Of the browser's cookies, only the UI server's own CSRF cookie.
  const csrf = (incoming.get('cookie') ?? '')
    .split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${CSRF_COOKIE}=`));
  if (csrf) out.set('cookie', csrf);
  return out;
}

function responseHeaders(incoming: Headers, upstream: Upstream): Headers {
  const out = new Headers();
  for (const [name, value] of incoming) {
    if (DROP_RESPONSE.has(name)) continue;
    if (name === 'location') {
      // An absolute redirect to the UI server's own address becomes a path on the web app.
      const target = new URL(value, upstream.origin);
      out.set(name, target.origin === upstream.origin ? `${target.pathname}${target.search}${target.hash}` : value);
      continue;
    }
    out.set(name, value);
  }
  for (const cookie of incoming.getSetCookie()) {
    const [pair, ...attributes] = cookie.split(';').map((p) => p.trim());
    if (!pair?.startsWith(`${CSRF_COOKIE}=`)) continue;
    const kept = attributes.filter((a) => /^(expires|max-age)=/i.test(a));
    out.append('set-cookie', [pair, ...kept, `Path=${TEMPORAL_WEB_PATH}`, 'SameSite=Strict', ...(upstream.secureCookies ? ['Secure'] : [])].join('; '));
  }
  return out;
}
