/**
 * Forwards a request for /temporal/… to the Temporal UI server (TEMPORAL_UI_UPSTREAM): only the paths
 * lib/temporal-web/paths.ts allows, spelled as checked, and only after the caller's role has been checked
 * against lib/temporal-web/access.ts. A request body is read first, at most MAX_FORWARDED_BODY (Next has
 * read it whole before any route runs anyway); answers stream back (history long-polls, large histories).
 * Only what the UI server needs crosses: never Sluice's session cookie or an Authorization header (the UI
 * server skips its CSRF check when one is present). Its CSRF cookie comes back scoped to /temporal with
 * Sluice's own Secure setting. Every answer carries the UI server's own Content-Security-Policy and Sluice's
 * (lib/security-headers.ts), which hashes the inline scripts of its HTML start-up page.
 */
import 'server-only';
import { createHash } from 'node:crypto';
import { apiError } from '../auth/api-error';
import type { SessionUser } from '../auth/guard';
import { hasRole } from '../auth/roles';
import { TEMPORAL_WEB_PATH } from '../links';
import { LARGEST_BODY_LIMIT, readBodyAtMost } from '../read-body';
import { temporalWebPolicy } from '../security-headers';
import { decidedByBody, requiredRole, settingsForRole } from './access';
import { forwardedPath } from './paths';

export interface Upstream {
  /** Origin of the UI server, e.g. http://temporal-ui:8080; its public path is /temporal. */
  origin: string;
  /** Mark the CSRF cookie Secure (https only), as Sluice's own cookies are. */
  secureCookies: boolean;
  /** The namespace Sluice serves (TEMPORAL_NAMESPACE): operators' rules hold there only. */
  namespace: string;
}

/** Largest body read to decide a request (a schedule patch is a few hundred bytes). */
export const MAX_DECIDING_BODY = 64 * 1024;
/** Largest body forwarded: Temporal's gRPC frontend takes no message over 4 MiB. */
export const MAX_FORWARDED_BODY = LARGEST_BODY_LIMIT;
/** Largest answer read whole (the start-up page, to hash its scripts; the settings, to adjust them). */
const MAX_READ_ANSWER = 512 * 1024;
const CSRF_COOKIE = '_csrf';

// Request headers that never reach the UI server: hop-by-hop, Sluice's credentials, ones Next or the UI
// server would act on (method overrides, Authorization skips CSRF), and the client's encodings (we ask for
// plain bodies so nothing has to be decoded twice).
const DROP_REQUEST = new Set([
  'host', 'connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect', 'content-length',
  'cookie', 'authorization', 'authorization-extras', 'origin', 'referer', 'forwarded', 'x-real-ip',
  'x-http-method-override', 'x-http-method', 'x-method-override', 'accept-encoding', 'rsc', 'content-security-policy',
]);
const DROP_REQUEST_PREFIX = ['x-forwarded-', 'x-middleware-', 'x-nextjs-', 'x-invoke-', 'x-sluice-', 'next-', 'proxy-'];
// Response headers: hop-by-hop, lengths and encodings the runtime recomputes, cookies (rewritten below), and
// security headers the web app sets itself (next.config.mjs) — a second, different copy would be ambiguous.
// Its Content-Security-Policy is kept: Sluice's is added beside it and a browser enforces both.
const DROP_RESPONSE = new Set([
  'connection', 'keep-alive', 'transfer-encoding', 'trailer', 'upgrade', 'content-encoding', 'content-length',
  'set-cookie', 'x-frame-options', 'x-content-type-options', 'x-xss-protection',
]);

/**
 * Checks the path and `user`'s role for this request and forwards it, or answers 404, 403 or 413.
 *
 * @example return forwardToTemporalWeb(req, user, { origin: 'http://127.0.0.1:8233', secureCookies: false, namespace: 'default' });
 */
export async function forwardToTemporalWeb(req: Request, user: SessionUser, upstream: Upstream): Promise<Response> {
  const url = new URL(req.url);
  const target = forwardedPath(url.pathname);
  if (!target.ok) return withPolicy(apiError('not_found', `Temporal Web through Sluice: ${url.pathname.slice(0, 200)} ${target.reason}.`));
  const inner = target.path.slice(TEMPORAL_WEB_PATH.length);
  const method = req.method.toUpperCase();

  let body: Uint8Array | undefined;
  let parsed: unknown;
  if (method !== 'GET' && method !== 'HEAD') {
    const limit = decidedByBody(method, inner) ? MAX_DECIDING_BODY : MAX_FORWARDED_BODY;
    let bytes: Uint8Array | null;
    try {
      bytes = await readBodyAtMost(req, limit);
    } catch {
      return withPolicy(apiError('bad_request', 'The request body could not be read to its end (the connection broke off); send it again.'));
    }
    if (bytes === null) return withPolicy(apiError('payload_too_large', `Temporal Web through Sluice: the request body is larger than ${limit} bytes, the most this request may send.`));
    if (req.body) body = bytes; // the very bytes that are judged below
    if (decidedByBody(method, inner)) {
      try {
        parsed = JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        parsed = undefined; // not JSON: decided as an admin-only request below
      }
    }
  }

  const { minRole, action } = requiredRole(method, inner, { namespace: upstream.namespace, body: parsed });
  if (!hasRole(user.role, minRole)) {
    return withPolicy(apiError('forbidden', `Temporal Web through Sluice: to ${action} needs the ${minRole} role; you have the ${user.role} role. Ask an admin.`));
  }

  let answer: Response;
  try {
    answer = await fetch(`${upstream.origin}${target.path}${url.search}`, {
      method,
      headers: requestHeaders(req.headers),
      body: body as BodyInit | undefined,
      redirect: 'manual',
      signal: req.signal,
    });
  } catch (err) {
    if (req.signal.aborted) return withPolicy(new Response(null, { status: 499 }));
    return withPolicy(apiError('unavailable', `Temporal Web (${upstream.origin}, TEMPORAL_UI_UPSTREAM) does not answer: ${(err as Error).cause ?? (err as Error).message}. Is the Temporal UI server running?`));
  }

  const headers = responseHeaders(answer.headers, upstream);
  const contentType = answer.headers.get('content-type');
  const isHtml = /^text\/html\b/i.test(contentType ?? '');
  const isSettings = method === 'GET' && inner === '/api/v1/settings' && answer.ok;
  if (!isSettings && !(isHtml && method !== 'HEAD')) {
    headers.append('content-security-policy', temporalWebPolicy({ contentType }));
    return new Response(answer.body, { status: answer.status, statusText: answer.statusText, headers });
  }
  // Read whole (bounded): the start-up page, to hash its inline scripts; the settings, to adjust them to the role.
  const text = await readAnswer(answer);
  if (text === null) return withPolicy(apiError('unavailable', `Temporal Web (${upstream.origin}) sent ${target.path} larger than ${MAX_READ_ANSWER} bytes, or broke off; is TEMPORAL_UI_UPSTREAM the Temporal UI server?`));
  if (isHtml) {
    headers.append('content-security-policy', temporalWebPolicy({ contentType, inlineScriptHashes: inlineScriptHashes(text) }));
    return new Response(text, { status: answer.status, statusText: answer.statusText, headers });
  }
  let settings: Record<string, unknown>;
  try {
    settings = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return withPolicy(apiError('unavailable', `Temporal Web (${upstream.origin}) sent settings that are not JSON; is TEMPORAL_UI_UPSTREAM the Temporal UI server?`));
  }
  headers.append('content-security-policy', temporalWebPolicy({ contentType }));
  return Response.json(settingsForRole(settings, user.role), { status: answer.status, headers });
}

async function readAnswer(answer: Response): Promise<string | null> {
  try {
    const bytes = await readBodyAtMost(answer, MAX_READ_ANSWER);
    return bytes === null ? null : new TextDecoder().decode(bytes);
  } catch {
    return null; // broke off
  }
}

/** Sluice's policy on an answer made here (a refusal, the log-in redirect): it runs nothing. */
export function withPolicy(res: Response): Response {
  res.headers.set('content-security-policy', temporalWebPolicy({ contentType: res.headers.get('content-type') }));
  return res;
}

/** 'sha256-…' of each inline script of an HTML page, as a browser hashes them (the text between the tags, UTF-8). */
export function inlineScriptHashes(html: string): string[] {
  const hashes = new Set<string>();
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    if (/\ssrc\s*=/i.test(` ${m[1]}`)) continue;
    hashes.add(`sha256-${createHash('sha256').update(m[2]!, 'utf8').digest('base64')}`);
  }
  return [...hashes];
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
