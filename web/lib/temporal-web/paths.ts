/**
 * Which paths under /temporal reach the Temporal UI server: its pages, build assets and REST API, named by
 * their first segment, spelled one way only. Everything else is refused (404, JSON) before anything is
 * forwarded. Pure, so the unit tests can walk it.
 *
 * Why an allow-list: the UI server (2.42) strips its public path with an unanchored pattern and registers
 * its markdown route under the public path again, so /temporal/temporal/render?content=<html> reached a page
 * that echoes any HTML. Sluice needs none of the UI server's extra routes (render, its own log-in and SSO,
 * health), so only these prefixes pass, case-sensitive, unencoded, and nothing whose segments could be read
 * as another path upstream: empty segments, dot segments (plain or %2e), backslashes (plain or %5c), NUL,
 * control characters or malformed %-escapes. What is checked is exactly what is forwarded.
 */
import { TEMPORAL_WEB_PATH } from '../links';

/** The UI's own pages (its SvelteKit routes in 2.42, under `/`), server routes and static files. */
const PAGES = new Set(['', 'namespaces', 'nexus', 'select-namespace', 'import']);
const SERVER = new Set(['api', '_app', 'css', 'codemirror', 'i18n']);
const FILES = /^(?:(?:android|apple|banner|favicon|logo)[\w.-]*|Temporal_Logo_Animation\.gif|site\.webmanifest)$/;

export type ForwardedPath = { ok: true; path: string } | { ok: false; reason: string };

/**
 * The path to ask the UI server for, given the web app's request path, or why it is refused.
 *
 * @example forwardedPath('/temporal') // { ok: true, path: '/temporal/' }
 * @example forwardedPath('/temporal/temporal/render').ok // false
 */
export function forwardedPath(pathname: string): ForwardedPath {
  if (pathname !== TEMPORAL_WEB_PATH && !pathname.startsWith(`${TEMPORAL_WEB_PATH}/`)) {
    return { ok: false, reason: `is not under ${TEMPORAL_WEB_PATH}/` };
  }
  // Always sent with the prefix and a slash after it, so the UI server's pattern matches at the start.
  const inner = pathname.slice(TEMPORAL_WEB_PATH.length) || '/';
  if (inner === '/') return { ok: true, path: `${TEMPORAL_WEB_PATH}/` };
  const segments = inner.slice(1).split('/');
  for (const [i, segment] of segments.entries()) {
    const problem = segmentProblem(segment, i === 0 || i < segments.length - 1);
    if (problem) return { ok: false, reason: problem };
  }
  const [first, second] = segments;
  const known = PAGES.has(first!) || SERVER.has(first!) || FILES.test(first!);
  if (!known) return { ok: false, reason: `is not one of Temporal Web's pages, assets or API (${TEMPORAL_WEB_PATH}/${first} is not served through Sluice)` };
  if (first === 'api' && second !== 'v1') return { ok: false, reason: `is not Temporal Web's API (${TEMPORAL_WEB_PATH}/api/v1/…)` };
  return { ok: true, path: `${TEMPORAL_WEB_PATH}${inner}` };
}

function segmentProblem(segment: string, mustHaveText: boolean): string | null {
  if (segment === '') return mustHaveText ? 'has an empty segment (//)' : null; // a trailing slash is harmless
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return `has a malformed %-escape in "${segment.slice(0, 100)}"`;
  }
  if (decoded === '.' || decoded === '..') return 'has a dot segment (. or ..)';
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(decoded)) return 'has a backslash or a control character';
  return null;
}
