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
import { TEMPORAL_WEB_PATH } from './lib/links';
import { contentSecurityPolicy, HSTS, isTemporalWebPath, newNonce, wantsHsts } from './lib/security-headers';

// Exact paths, or folders when they end with '/'. Everything else needs a session.
const PUBLIC = ['/login', '/api/auth/', '/api/health'];
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

  if (isPublic(pathname)) return next();
  // Temporal Web's own REST calls (/temporal/api/…) are API too: a 401, not a log-in page, for its fetches.
  const isApi = pathname === '/api' || pathname.startsWith('/api/') || pathname.startsWith(`${TEMPORAL_WEB_PATH}/api/`);
  if (isApi && req.headers.has('authorization')) return next(); // the route handler checks the token
  if (req.cookies.getAll().some((c) => SESSION_COOKIE.test(c.name))) return next();

  if (isApi) {
    return secured(
      NextResponse.json(
        { error: { code: 'unauthorized', message: 'Log in first, or send an API token: Authorization: Bearer slc_…' } },
        { status: 401, headers: { 'www-authenticate': 'Bearer realm="sluice"', 'cache-control': 'no-store' } },
      ),
    );
  }
  const login = new URL('/login', req.url);
  if (pathname !== '/') login.searchParams.set('next', pathname + search);
  return secured(NextResponse.redirect(login));
}

export const config = {
  // Not Next's own build assets (public, hashed); everything else, API included.
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
