// @ts-check
// Plain JavaScript on purpose: with a next.config.ts, `next start` loads Next's SWC compiler at every start just
// to read its own config, about 30 MB of the web app's idle memory.
import path from 'node:path';

// node_modules live at the repository root (npm workspaces): both bundlers must see it.
const root = path.resolve(import.meta.dirname, '..');

/** @type {import('next').NextConfig} */
const nextConfig = {
  turbopack: { root },
  outputFileTracingRoot: root,
  // Native (better-sqlite3) and gRPC (Temporal) code must be loaded by Node, not bundled.
  serverExternalPackages: ['sluice', 'better-sqlite3', 'pg', '@temporalio/client', '@temporalio/common', '@temporalio/proto'],
  experimental: {
    // forbidden(): a page a user's role does not allow answers 403 with web/app/forbidden.tsx.
    authInterrupts: true,
    // Pages load on their first request, not all at start: about 12 MB less idle memory for a first visit's
    // few tens of milliseconds.
    preloadEntriesOnStart: false,
    // Next reads every request body whole before any route runs (a copy for proxy.ts), keeping at most this
    // much and silently cutting off the rest. 1 MiB above the largest limit a route reads (LARGEST_BODY_LIMIT,
    // lib/read-body.ts), more than one network chunk, so a body past a route's limit still arrives past it
    // and is refused with 413, never cut to a size that looks complete.
    proxyClientMaxBodySize: 5 * 1024 * 1024,
  },
  poweredByHeader: false,
  reactStrictMode: true,
  // Static headers for every answer, build assets included; the Content-Security-Policy (with a nonce per
  // request) and HSTS (https only) are set per request by proxy.ts, from lib/security-headers.ts.
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
        ],
      },
    ];
  },
};

export default nextConfig;
