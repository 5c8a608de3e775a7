/**
 * The web app for tests: built ONCE (`next build` by scripts/web-build.ts, as `npm start` does; skipped while
 * the sources are unchanged since the last build), then started per test file with `next start` on a free port, in production mode, against the
 * suite's Temporal and a fresh store, with one user of each role. Browser tests log in through the real
 * log-in page in Debian's Chromium (playwright-core).
 *
 * @example
 * const app = await startWebApp();
 * after(() => app.stop());
 * const res = await app.fetch('/api/runs', { as: 'viewer' });
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { openStore } from 'sluice/internal/store';
import { createUser } from '../../web/lib/auth/users';
import type { Role } from '../../web/lib/auth/roles';
import { freshTmpDir, temporalAddress, temporalNamespace, temporalWebUrl } from '../harness/env';
import { buildWebApp, NEXT_BIN, registerWebServer } from '../../scripts/web-build';

const ROOT = path.resolve(__dirname, '../..');

export const ROLES_FOR_TESTS: Role[] = ['viewer', 'operator', 'admin'];

export interface TestUser {
  email: string;
  password: string;
  role: Role;
}

export interface WebApp {
  baseUrl: string;
  /** The store the app uses (start a worker against it so logs land where the app reads). */
  storeUrl: string;
  users: Record<Role, TestUser>;
  /** `Cookie` header of a logged-in session for that role (logged in once, then cached). */
  cookie(role: Role): Promise<string>;
  /** fetch against the app; `as` logs in first, `token` sends `Authorization: Bearer`. Never follows redirects. */
  fetch(pathname: string, init?: RequestInit & { as?: Role; token?: string }): Promise<Response>;
  /** Everything the server printed so far. */
  output(): string;
  /** The `next start` process (benchmarks read its CPU time). */
  pid: number;
  stop(): Promise<void>;
}


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A password per test user; long enough for the policy, different each run. */
function testPassword(role: Role): string {
  return `${role}-${randomBytes(9).toString('base64url')}`;
}

async function seedUsers(storeUrl: string): Promise<Record<Role, TestUser>> {
  const store = await openStore(storeUrl, { migrate: true });
  try {
    const users = {} as Record<Role, TestUser>;
    for (const role of ROLES_FOR_TESTS) {
      const user = { email: `${role}@sluice.test`, password: testPassword(role), role };
      await createUser(store.db, { email: user.email, role, name: `Test ${role}`, password: user.password });
      users[role] = user;
    }
    return users;
  } finally {
    await store.close();
  }
}

/** The `name=value` pairs of a response's Set-Cookie headers. */
function cookiePairs(res: Response): string[] {
  return res.headers.getSetCookie().map((c) => c.split(';')[0]);
}

/** Logs in through next-auth's own endpoints, as the log-in form does; returns the Cookie header. */
export async function loginCookie(baseUrl: string, email: string, password: string): Promise<{ cookie: string; response: Response }> {
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = cookiePairs(csrf);
  const response = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.join('; ') },
    body: new URLSearchParams({ csrfToken, email, password, json: 'true' }),
  });
  return { cookie: [...jar, ...cookiePairs(response)].join('; '), response };
}

export interface StartOptions {
  /** Default: a new SQLite file under the suite's temporary directory. */
  storeUrl?: string;
  /** More environment for the server (e.g. NEXTAUTH_SECRET: '' to see it refuse). */
  env?: Record<string, string>;
  /** Seed one user per role (default true). */
  seed?: boolean;
}

/** Spawns `next start` for the built app; resolves once it answers. */
export async function startWebApp(options: StartOptions = {}): Promise<WebApp> {
  await buildWebApp();
  const storeUrl = options.storeUrl ?? `sqlite:${path.join(freshTmpDir('web'), 'sluice.db')}`;
  const users = options.seed === false ? ({} as Record<Role, TestUser>) : await seedUsers(storeUrl);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [NEXT_BIN, 'start', 'web', '--port', String(port), '--hostname', '127.0.0.1'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      NEXTAUTH_SECRET: randomBytes(32).toString('base64'),
      NEXTAUTH_URL: baseUrl,
      DATABASE_URL: storeUrl,
      TEMPORAL_ADDRESS: temporalAddress(),
      TEMPORAL_NAMESPACE: temporalNamespace(),
      TEMPORAL_WEB_URL: temporalWebUrl(),
      TEMPORAL_UI_UPSTREAM: temporalWebUrl(),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const text: string[] = [];
  child.stdout!.on('data', (d) => text.push(String(d)));
  child.stderr!.on('data', (d) => text.push(String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  const unregister = registerWebServer();

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    process.removeListener('exit', reap);
    unregister();
  };

  try {
    await waitUntilAnswering(baseUrl, child, () => text.join(''));
  } catch (err) {
    await stop();
    throw err;
  }

  const cookies = new Map<Role, Promise<string>>();
  const cookie = (role: Role) => {
    if (!cookies.has(role)) {
      const user = users[role];
      if (!user) throw new Error(`No ${role} user: this app was started with seed: false.`);
      cookies.set(
        role,
        loginCookie(baseUrl, user.email, user.password).then(({ cookie, response }) => {
          if (!/session-token=/.test(cookie)) throw new Error(`log-in as ${role} failed: ${response.status}`);
          return cookie;
        }),
      );
    }
    return cookies.get(role)!;
  };

  return {
    baseUrl,
    storeUrl,
    users,
    cookie,
    async fetch(pathname, init = {}) {
      const { as, token, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (as) headers.set('cookie', await cookie(as));
      if (token) headers.set('authorization', `Bearer ${token}`);
      return fetch(new URL(pathname, baseUrl), { redirect: 'manual', ...rest, headers });
    },
    output: () => text.join(''),
    pid: child.pid!,
    stop,
  };
}

/**
 * A request sent through node:http exactly as written: fetch would normalise the path (dot segments, `\`) and
 * refuses some methods (TRACE). Never follows redirects.
 *
 * @example const res = await rawFetch(app.baseUrl, 'GET', '/temporal/./x', { cookie: await app.cookie('admin') });
 */
export function rawFetch(baseUrl: string, method: string, rawPath: string, headers: Record<string, string> = {}): Promise<Response> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path: rawPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const out = new Headers();
        for (const [k, v] of Object.entries(res.headers)) for (const value of [v ?? []].flat()) out.append(k, value);
        const empty = method === 'HEAD' || res.statusCode === 204 || res.statusCode === 304;
        resolve(new Response(empty ? null : Buffer.concat(chunks), { status: res.statusCode, headers: out }));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function waitUntilAnswering(baseUrl: string, child: ChildProcess, output: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`next start exited (${child.exitCode ?? child.signalCode}) before answering:\n${output()}`);
    }
    try {
      const res = await fetch(`${baseUrl}/login`, { redirect: 'manual', signal: AbortSignal.timeout(5_000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`next start did not answer within ${timeoutMs} ms:\n${output()}`);
    await sleep(250);
  }
}

/** Chromium's flags for this machine (headless, no sandbox as root, nothing phoning home). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/**
 * Debian's Chromium via playwright-core; close it in `after()`. Playwright starts it with a fresh
 * temporary --user-data-dir of its own (and deletes it on close), so no state leaks between runs.
 */
export async function launchBrowser(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

/** Logs a browser page in through the real log-in form; ends on `next` (default the home page). */
export async function loginInBrowser(page: Page, app: WebApp, role: Role, next = '/'): Promise<void> {
  await loginWithForm(page, app.baseUrl, app.users[role], next);
}

/** The same for any user of any Sluice web app (e.g. one `npm start` runs). */
export async function loginWithForm(page: Page, baseUrl: string, user: { email: string; password: string }, next = '/'): Promise<void> {
  await page.goto(`${baseUrl}/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((url) => url.pathname === new URL(next, baseUrl).pathname, { timeout: 30_000 });
}

/** A new browser context (own cookies) already logged in as `role`. */
export async function loggedInContext(browser: Browser, app: WebApp, role: Role): Promise<BrowserContext> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await loginInBrowser(page, app, role);
  await page.close();
  return context;
}

/**
 * How a page answered: 'login' (sent to the log-in page), 'forbidden' (the role is too low), or 'ok'.
 * The root loading.tsx streams pages, so a refusal decided while rendering keeps status 200 and is
 * carried in the body (a refresh to /login, or the forbidden page); before rendering it is a 307 or 403.
 */
export async function pageOutcome(res: Response): Promise<{ outcome: 'ok' | 'login' | 'forbidden'; body: string }> {
  const body = await res.text();
  if (res.status >= 300 && res.status < 400) {
    return { outcome: /^\/login\b/.test(res.headers.get('location') ?? '') ? 'login' : 'ok', body };
  }
  if (res.status === 401) return { outcome: 'login', body };
  // Next marks an interrupted render with the digest of what interrupted it.
  if (/NEXT_REDIRECT;(replace|push);\/login\b/.test(body)) return { outcome: 'login', body };
  if (res.status === 403 || body.includes('NEXT_HTTP_ERROR_FALLBACK;403')) return { outcome: 'forbidden', body };
  return { outcome: 'ok', body };
}
