/**
 * Where to go after log-in: a page of Sluice only, never another site (no open redirect). Not a pattern
 * list: `next` is parsed as the browser will parse it, against a stand-in for Sluice's origin, and kept
 * only if it stays on that origin. The parser drops tabs and newlines and reads `\` as `/`, as browsers
 * do, so `/\t/evil.example` is seen for the `//evil.example` it becomes. What is returned is the parser's
 * own spelling of the path, so the browser is handed exactly what was checked.
 */
const ORIGIN = 'https://sluice.invalid';

/**
 * @example safeNext('/runs?status=failed') // '/runs?status=failed'
 * @example safeNext('/\t/evil.example')    // '/'
 */
export function safeNext(next: string | undefined): string {
  if (!next?.startsWith('/')) return '/';
  let url: URL;
  try {
    url = new URL(next, ORIGIN);
  } catch {
    return '/';
  }
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Dot segments can leave a path that starts with '//' (`/.//evil.example`): scheme-relative once handed on.
  if (url.origin !== ORIGIN || !path.startsWith('/') || path.startsWith('//') || new URL(path, ORIGIN).origin !== ORIGIN) return '/';
  if (url.pathname === '/login' || url.pathname.startsWith('/login/')) return '/';
  return path;
}
