/**
 * The web app's pages as the file system declares them (every web/app/**\/page.tsx), so a test that must visit
 * every page learns of a new one without being edited. Route groups `(name)` are not part of the path;
 * `[param]` is one segment, `[...param]` one or more, `[[...param]]` none or more.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';

export interface PageRoute {
  /** As Next writes it, e.g. `/runs/[workflowId]/[runId]`. */
  route: string;
  /** Matches a pathname this page answers (decoded or not). */
  pattern: RegExp;
}

export function pageRoutes(appDir: string): PageRoute[] {
  const found: PageRoute[] = [];
  const walk = (dir: string, segments: string[]) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      // _folders are private (not routes) in the App Router.
      if (entry.isDirectory() && !entry.name.startsWith('_')) walk(path.join(dir, entry.name), /^\(.+\)$/.test(entry.name) ? segments : [...segments, entry.name]);
      else if (entry.isFile() && /^page\.(tsx|ts|jsx|js|mdx)$/.test(entry.name)) found.push(toRoute(segments));
    }
  };
  walk(appDir, []);
  return found.sort((a, b) => a.route.localeCompare(b.route));
}

function toRoute(segments: string[]): PageRoute {
  let source = '';
  for (const s of segments) {
    if (/^\[\[\.\.\..+\]\]$/.test(s)) source += '(?:/[^/]+)*';
    else if (/^\[\.\.\..+\]$/.test(s)) source += '(?:/[^/]+)+';
    else if (/^\[.+\]$/.test(s)) source += '/[^/]+';
    else source += `/${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
  }
  return { route: `/${segments.join('/')}`, pattern: new RegExp(`^${source || '/'}/?$`) };
}
