/**
 * The request guard in front of every route (Next 16's proxy, formerly middleware). An optimistic check
 * only: without a session cookie (or, for /api, a Bearer token) nothing is rendered — pages redirect to
 * /login, the API answers 401. The real check (signature, user, role) is made by web/lib/auth/guard.ts in
 * every page, server action and route handler; this layer keeps a forgotten check from leaking a page.
 * It also gives every answer its Content-Security-Policy (with a per-request nonce) and, over https, HSTS
 * (lib/security-headers.ts) — except what Temporal Web's route answers, which sets its own policy (a header
 * set here would replace the route's).
 */
import { NextResponse, type NextRequest } from 'next/server';
import { apiError } from './lib/auth/api-error';
import { TEMPORAL_WEB_PATH } from './lib/links';
import { contentSecurityPolicy, HSTS, isTemporalWebPath, newNonce, wantsHsts } from './lib/security-headers';

// Exact paths, or folders when they end with '/'. Everything else needs a session. A trigger call carries a
// signature instead, which its route checks.
const PUBLIC = ['/login', '/api/auth/', '/api/health', '/api/triggers/'];
// next-auth's cookie names, plain and https-only, whole or chunked (.0, .1 …) when large.
const SESSION_COOKIE = /^(__Secure-)?next-auth\.session-token(\.\d+)?$/;
const PATH_HEADER = 'x-sluice-path'; // read by requireUser() to send the user back after log-in

function isPublic(pathname: string): boolean {
  return PUBLIC.some((p) => (p.endsWith('/') ? pathname.startsWith(p) : pathname === p || pathname === `${p}/`));
}

export function proxy(req: NextRequest) {
  const { pathname, search } = req.nextUrl;
  const forwarded = new Headers(req.headers);
  forwarded.set(PATH_HEADER, pathname + search);
  // Next reads the nonce from the request's CSP and puts it on its own inline scripts.
  const nonce = newNonce();
  const csp = contentSecurityPolicy(nonce, process.env.NODE_ENV !== 'production');
  const temporalWeb = isTemporalWebPath(pathname);
  if (!temporalWeb) forwarded.set('content-security-policy', csp);
  const secured = (res: NextResponse, routeSetsPolicy = false) => {
    if (!routeSetsPolicy) res.headers.set('content-security-policy', csp);
    // NEXTAUTH_URL (validated by lib/env.ts at start-up) is read as it is: the proxy loads no settings.
    if (wantsHsts(process.env.NEXTAUTH_URL, req.headers.get('x-forwarded-proto'))) res.headers.set('strict-transport-security', HSTS);
    return res;
  };
  const next = () => secured(NextResponse.next({ request: { headers: forwarded } }), temporalWeb);
  // Temporal Web's own REST calls (/temporal/api/…) are API too: JSON errors and a 401, not a log-in page.
  const isApi = pathname === '/api' || pathname.startsWith('/api/') || pathname.startsWith(`${TEMPORAL_WEB_PATH}/api/`);

  // A path Next cannot decode (`%ff%fe`, a lone `%`) would fail inside its router with a 500: refused here.
  const badPath = undecodable(pathname);
  if (badPath) {
    const message = `The path is not valid percent-encoded UTF-8 (at “${badPath}”): encode each byte of a UTF-8 character as %XX, and a % itself as %25.`;
    const res = isApi ? apiError('bad_request', message) : new Response(`Bad request. ${message}\n`, { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    return secured(nextResponse(res));
  }

  if (isPublic(pathname)) return next();
  if (isApi && req.headers.has('authorization')) return next(); // the route handler checks the token
  if (req.cookies.getAll().some((c) => SESSION_COOKIE.test(c.name))) return next();

  if (isApi) return secured(nextResponse(apiError('unauthorized', 'Log in first, or send an API token: Authorization: Bearer slc_…')));
  const login = new URL('/login', req.url);
  if (pathname !== '/') login.searchParams.set('next', pathname + search);
  return secured(NextResponse.redirect(login));
}

const nextResponse = (res: Response) => new NextResponse(res.body, { status: res.status, headers: res.headers });

/** The first path segment that is not valid percent-encoded UTF-8 (cut to 40 characters), or null. */
function undecodable(pathname: string): string | null {
  for (const segment of pathname.split('/')) {
    try {
      decodeURIComponent(segment);
    } catch {
      return segment.slice(0, 40);
    }
  }
  return null;
}

export const config = {
  // Not Next's own build assets (public, hashed); everything else, API included.
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
