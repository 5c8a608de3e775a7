// Log-in, sessions, roles, lock-out, log-out and start-up rules of the real web app (next start, production mode).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStore } from 'sluice/internal/store';
import { createApiToken } from '../../web/lib/auth/tokens';
import { endUserSessions, findUserByEmail, setUserDisabled, setUserPassword, setUserRole } from '../../web/lib/auth/users';
import { loginCookie, pageOutcome, startWebApp, type WebApp } from './harness';

let app: WebApp;
before(async () => {
  app = await startWebApp();
});
after(async () => {
  await app?.stop();
});

async function withStore<T>(work: (db: Awaited<ReturnType<typeof openStore>>['db']) => Promise<T>): Promise<T> {
  const store = await openStore(app.storeUrl);
  try {
    return await work(store.db);
  } finally {
    await store.close();
  }
}

describe('log-in', () => {
  test('a page without a session redirects to /login, remembering where the user was going', async () => {
    const res = await app.fetch('/runs?status=failed');
    assert.equal(res.status, 307);
    assert.equal(res.headers.get('location'), '/login?next=%2Fruns%3Fstatus%3Dfailed');
    const login = await app.fetch('/login');
    assert.equal(login.status, 200);
    assert.match(await login.text(), /Log in to Sluice/);
  });

  test('the session cookie is HttpOnly, Secure and SameSite=Lax in production', async () => {
    const { response } = await loginCookie(app.baseUrl, app.users.viewer.email, app.users.viewer.password);
    const session = response.headers.getSetCookie().find((c) => /session-token=/.test(c));
    assert.ok(session, 'a session cookie is set');
    assert.match(session!, /^__Secure-next-auth\.session-token=/);
    assert.match(session!, /; HttpOnly/i);
    assert.match(session!, /; Secure/i);
    assert.match(session!, /; SameSite=Lax/i);
  });

  test('with a session, pages answer and the session names the user', async () => {
    const home = await app.fetch('/', { as: 'viewer' });
    assert.notEqual(home.status, 307, 'a logged-in user is not sent to /login');
    const session = (await (await app.fetch('/api/auth/session', { as: 'viewer' })).json()) as { user?: { email?: string } };
    assert.equal(session.user?.email, app.users.viewer.email);
  });

  test('a wrong password is refused with a readable message, never a session', async () => {
    const { cookie, response } = await loginCookie(app.baseUrl, app.users.viewer.email, 'not the password');
    assert.equal(response.status, 401);
    const { url } = (await response.json()) as { url: string };
    assert.equal(new URL(url).searchParams.get('error'), 'Wrong email or password.');
    assert.doesNotMatch(cookie, /session-token=/);
  });

  test('five failures from one address lock the email there for 15 minutes, even with the right password', async () => {
    const email = 'locked@sluice.test';
    await withStore(async (db) => {
      const { createUser } = await import('../../web/lib/auth/users');
      await createUser(db, { email, role: 'viewer', password: 'the right password' });
    });
    let last = '';
    for (let i = 0; i < 5; i++) {
      const { response } = await loginCookie(app.baseUrl, email, `guess-${i}`);
      last = new URL(((await response.json()) as { url: string }).url).searchParams.get('error') ?? '';
    }
    assert.match(last, /Too many failed log-ins for this email from your network address\. Try again in 15 minutes/);
    const { cookie, response } = await loginCookie(app.baseUrl, email, 'the right password');
    assert.doesNotMatch(cookie, /session-token=/);
    assert.match(new URL(((await response.json()) as { url: string }).url).searchParams.get('error') ?? '', /Too many/);
  });

  test('a forged session cookie gets nothing', async () => {
    // It passes the proxy's quick look (a cookie of the right name), so the page's own check must refuse.
    const forged = '__Secure-next-auth.session-token=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..forged.forged.forged';
    const page = await pageOutcome(await app.fetch('/admin/users', { headers: { cookie: forged } }));
    assert.equal(page.outcome, 'login');
    assert.ok(!page.body.includes('admin@sluice.test'), 'no user list leaks');
    const api = await app.fetch('/api/runs', { headers: { cookie: forged } });
    assert.equal(api.status, 401);
  });
});

describe('roles', () => {
  test('admin pages: 403 for viewers and operators, 200 for admins', async () => {
    for (const role of ['viewer', 'operator'] as const) {
      const { outcome, body } = await pageOutcome(await app.fetch('/admin/users', { as: role }));
      assert.equal(outcome, 'forbidden', `${role} on /admin/users`);
      assert.ok(!body.includes('admin@sluice.test'), `no user list for the ${role}`);
      assert.equal((await pageOutcome(await app.fetch('/admin/tokens', { as: role }))).outcome, 'forbidden');
    }
    const admin = await app.fetch('/admin/users', { as: 'admin' });
    assert.equal(admin.status, 200);
    const html = await admin.text();
    for (const role of ['viewer', 'operator', 'admin']) assert.ok(html.includes(`${role}@sluice.test`));
    assert.equal((await pageOutcome(await app.fetch('/admin/tokens', { as: 'admin' }))).outcome, 'ok');
  });

  test('a changed role ends the sessions opened under the old one; a new log-in has the new role', async () => {
    const email = 'promoted@sluice.test';
    const password = 'promoted password';
    await withStore(async (db) => {
      const { createUser } = await import('../../web/lib/auth/users');
      await createUser(db, { email, role: 'viewer', password });
    });
    const { cookie } = await loginCookie(app.baseUrl, email, password);
    assert.equal((await pageOutcome(await app.fetch('/admin/tokens', { headers: { cookie } }))).outcome, 'forbidden');
    await withStore((db) => setUserRole(db, email, 'admin'));
    await assertRefused(cookie);
    const { cookie: fresh } = await loginCookie(app.baseUrl, email, password);
    assert.equal((await pageOutcome(await app.fetch('/admin/tokens', { headers: { cookie: fresh } }))).outcome, 'ok');
  });

  test("a disabled user's open session stops working at once", async () => {
    const email = 'leaver@sluice.test';
    const password = 'leaver password';
    await withStore(async (db) => {
      const { createUser } = await import('../../web/lib/auth/users');
      await createUser(db, { email, role: 'operator', password });
    });
    const { cookie } = await loginCookie(app.baseUrl, email, password);
    assert.equal((await app.fetch('/api/openapi.json', { headers: { cookie } })).status, 200);
    await withStore((db) => setUserDisabled(db, email, true));
    assert.equal((await app.fetch('/api/openapi.json', { headers: { cookie } })).status, 401);
    assert.equal((await pageOutcome(await app.fetch('/runs', { headers: { cookie } }))).outcome, 'login');
  });
});

/** Signs a session out through next-auth's endpoint, as the Log out button does. */
async function signOut(cookie: string): Promise<Response> {
  const csrf = await fetch(`${app.baseUrl}/api/auth/csrf`, { headers: { cookie } });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = [cookie, ...csrf.headers.getSetCookie().map((c) => c.split(';')[0])].join('; ');
  return fetch(`${app.baseUrl}/api/auth/signout`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar },
    body: new URLSearchParams({ csrfToken, json: 'true' }),
  });
}

/** A replayed session cookie opens nothing: the API says 401, pages send to log in, next-auth knows no session. */
async function assertRefused(cookie: string): Promise<void> {
  assert.equal((await app.fetch('/api/openapi.json', { headers: { cookie } })).status, 401);
  assert.equal((await pageOutcome(await app.fetch('/runs', { headers: { cookie } }))).outcome, 'login');
  const session = await app.fetch('/api/auth/session', { headers: { cookie } });
  assert.deepEqual(await session.json(), {}, 'no session for it');
  assert.ok(session.headers.getSetCookie().some((c) => /session-token=;/.test(c)), 'and the browser is told to drop it');
}

async function newUser(email: string, password: string, role: 'viewer' | 'operator' = 'viewer'): Promise<void> {
  await withStore(async (db) => {
    const { createUser } = await import('../../web/lib/auth/users');
    await createUser(db, { email, role, password });
  });
}

describe('revocable sessions', () => {
  test('log-out ends this session: a copy of its cookie is refused; the same user elsewhere stays logged in', async () => {
    await newUser('twodevices@sluice.test', 'two devices pw');
    const { cookie: laptop } = await loginCookie(app.baseUrl, 'twodevices@sluice.test', 'two devices pw');
    const { cookie: phone } = await loginCookie(app.baseUrl, 'twodevices@sluice.test', 'two devices pw');
    const res = await signOut(laptop);
    const cleared = res.headers.getSetCookie().find((c) => /session-token=/.test(c));
    assert.ok(cleared, 'the sign-out answer sets the session cookie');
    assert.match(cleared!, /session-token=;|Max-Age=0|Expires=Thu, 01 Jan 1970/i);
    await assertRefused(laptop);
    assert.equal((await app.fetch('/api/openapi.json', { headers: { cookie: phone } })).status, 200, 'the other session is untouched');
  });

  test('a password change ends every session of the user', async () => {
    await newUser('changer@sluice.test', 'the old password');
    const { cookie: one } = await loginCookie(app.baseUrl, 'changer@sluice.test', 'the old password');
    const { cookie: two } = await loginCookie(app.baseUrl, 'changer@sluice.test', 'the old password');
    await withStore((db) => setUserPassword(db, 'changer@sluice.test', 'the new password'));
    await assertRefused(one);
    await assertRefused(two);
    const { cookie } = await loginCookie(app.baseUrl, 'changer@sluice.test', 'the new password');
    assert.equal((await app.fetch('/api/openapi.json', { headers: { cookie } })).status, 200);
  });

  test('log out everywhere ends every session of the user and no one else', async () => {
    await newUser('everywhere@sluice.test', 'everywhere pw');
    const { cookie } = await loginCookie(app.baseUrl, 'everywhere@sluice.test', 'everywhere pw');
    const other = await app.cookie('viewer');
    const user = await withStore((db) => findUserByEmail(db, 'everywhere@sluice.test'));
    await withStore((db) => endUserSessions(db, user!.id));
    await assertRefused(cookie);
    assert.equal((await app.fetch('/api/openapi.json', { headers: { cookie: other } })).status, 200);
  });

  test('a disabled user stays logged out once enabled again: their old cookie is refused', async () => {
    await newUser('comeback@sluice.test', 'comeback pw');
    const { cookie } = await loginCookie(app.baseUrl, 'comeback@sluice.test', 'comeback pw');
    await withStore((db) => setUserDisabled(db, 'comeback@sluice.test', true));
    await withStore((db) => setUserDisabled(db, 'comeback@sluice.test', false));
    await assertRefused(cookie);
  });
});

describe('API tokens', () => {
  test('an expired token gets 401 saying it expired', async () => {
    const day = 86_400_000;
    const { token, apiToken } = await withStore((db) => createApiToken(db, { name: 'last-quarter', role: 'viewer', createdBy: null, expiresInDays: 1 }, Date.now() - 2 * day));
    const res = await app.fetch('/api/runs', { token });
    assert.equal(res.status, 401);
    const { error } = (await res.json()) as { error: { message: string } };
    assert.equal(error.message, `This API token ('last-quarter') expired on ${new Date(apiToken.expiresAt!).toISOString()}. Ask an admin for a new one.`);
  });
});

describe('start-up', () => {
  test('a production server without NEXTAUTH_SECRET refuses to start, saying why', async () => {
    await assert.rejects(
      startWebApp({ env: { NEXTAUTH_SECRET: '' }, seed: false }),
      (e: Error) => /exited \(1\)/.test(e.message) && /NEXTAUTH_SECRET: required in production/.test(e.message),
    );
  });

  test('a fresh install creates the first admin once, with a password printed once that logs in', async () => {
    const fresh = await startWebApp({ seed: false });
    let password: string;
    try {
      const match = /email: +admin@localhost\n +password: +(\S+)/.exec(fresh.output());
      assert.ok(match, `the first admin is printed:\n${fresh.output()}`);
      password = match![1];
      const { cookie } = await loginCookie(fresh.baseUrl, 'admin@localhost', password);
      assert.equal((await fetch(`${fresh.baseUrl}/admin/users`, { headers: { cookie }, redirect: 'manual' })).status, 200);
    } finally {
      await fresh.stop();
    }
    // The same store again: users exist, so nothing is created or printed.
    const again = await startWebApp({ storeUrl: fresh.storeUrl, seed: false });
    try {
      await new Promise((r) => setTimeout(r, 500));
      assert.doesNotMatch(again.output(), /created the first admin/);
    } finally {
      await again.stop();
    }
  });
});
