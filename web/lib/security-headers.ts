/**
 * The per-request security headers (set by web/proxy.ts; the static ones are in next.config.mjs). Pure.
 *
 * Sluice's own pages get a nonce-based Content-Security-Policy: Next puts the nonce it finds in the
 * request's CSP on its own inline scripts, and 'strict-dynamic' lets those load the app's chunks; nothing
 * else runs. Styles allow 'unsafe-inline' (React sets style attributes; no script can run from a style).
 *
 * Temporal Web (/temporal) is another app — the Temporal UI server's SvelteKit build — whose policy is set by
 * its route (lib/temporal-web/forward.server.ts), not by the proxy: Next keeps a header the proxy set over the
 * route's own, and the UI server's own policy (its markdown page: a nonce and `sandbox`) must stay in force.
 * The route sends that policy unchanged and adds Sluice's: its start-up page may run its own inline script,
 * allowed by hash (it carries no nonce of ours and changes with each UI release), never an injected one, an
 * event-handler attribute or eval; anything else it serves that a browser could open as a document runs
 * nothing at all (`sandbox`). Neither app may be framed by another site: `frame-ancestors 'none'` (and
 * X-Frame-Options DENY for old browsers).
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

/** Whether a path is Temporal Web's, whose answers get their policy from its route. */
export function isTemporalWebPath(pathname: string): boolean {
  return pathname === TEMPORAL_WEB_PATH || pathname.startsWith(`${TEMPORAL_WEB_PATH}/`);
}

/** The Content-Security-Policy of Sluice's own answers. `development` adds 'unsafe-eval', which Next's dev server needs (never in production). */
export function contentSecurityPolicy(nonce: string, development = false): string {
  return [...SHARED, `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ''}`].join('; ');
}

/** What Temporal Web answered, as far as its policy depends on it. */
export interface TemporalWebAnswer {
  contentType: string | null;
  /** 'sha256-…' sources of the inline scripts of an HTML answer (its start-up script). */
  inlineScriptHashes?: string[];
}

/**
 * Sluice's Content-Security-Policy for an answer of Temporal Web (sent beside the UI server's own, if any):
 * HTML may run its own inline scripts (by hash) and scripts from /temporal; JavaScript (the Monaco editor's
 * workers take the policy of their script) loads from Sluice only; anything else runs nothing if opened.
 */
export function temporalWebPolicy({ contentType, inlineScriptHashes = [] }: TemporalWebAnswer): string {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'text/html') return [...SHARED, ["script-src 'self'", ...inlineScriptHashes.map((h) => `'${h}'`)].join(' ')].join('; ');
  if (/^(text|application)\/(javascript|ecmascript)$/.test(type)) return [...SHARED, "script-src 'self'"].join('; ');
  return "default-src 'none'; frame-ancestors 'none'; sandbox";
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
