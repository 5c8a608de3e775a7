/**
 * The per-request security headers (set by web/proxy.ts; the static ones are in next.config.mjs). Pure.
 *
 * Sluice's own pages get a nonce-based Content-Security-Policy: Next puts the nonce it finds in the
 * request's CSP on its own inline scripts, and 'strict-dynamic' lets those load the app's chunks; nothing
 * else runs. Styles allow 'unsafe-inline' (React sets style attributes; no script can run from a style).
 *
 * Temporal Web (/temporal) is another app — the Temporal UI server's SvelteKit build — whose page starts
 * itself with an inline script that carries no nonce of ours and changes with each UI release, so its
 * policy allows inline scripts from its own pages only ('self' for everything else, no eval). Neither app
 * may be framed by another site: `frame-ancestors 'none'` (and X-Frame-Options DENY for old browsers).
 */
import { TEMPORAL_WEB_PATH } from './links';

const SHARED = [
  "default-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
];

/** A fresh nonce for one response's scripts. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
}

/** The Content-Security-Policy of a path. `development` adds 'unsafe-eval', which Next's dev server needs (never in production). */
export function contentSecurityPolicy(pathname: string, nonce: string, development = false): string {
  const isTemporalWeb = pathname === TEMPORAL_WEB_PATH || pathname.startsWith(`${TEMPORAL_WEB_PATH}/`);
  const script = isTemporalWeb ? "script-src 'self' 'unsafe-inline'" : `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ''}`;
  return [...SHARED, script].join('; ');
}

/** One year, as HSTS preload lists ask; not includeSubDomains: other hosts of the domain are not Sluice's to decide. */
export const HSTS = 'max-age=31536000';

/**
 * Whether to send HSTS: only when the app is served over https (NEXTAUTH_URL says so, or the request came
 * in over https). Over plain http browsers ignore it, and it would pin a development setup to https.
 */
export function wantsHsts(nextAuthUrl: string | undefined, forwardedProto: string | null): boolean {
  return !!nextAuthUrl?.startsWith('https:') || forwardedProto === 'https';
}
