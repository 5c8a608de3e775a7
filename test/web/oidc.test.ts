// Single sign-on against a real OpenID Provider (panva's oidc-provider on loopback), in Debian's Chromium:
// the log-in page's SSO button, the provider's own log-in and consent forms, the way back, and the role
// each user gets from their groups — or the refusal they read when they get none.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { openStore } from 'sluice/internal/store';
import { createUser, findUserByEmail, setUserDisabled, type User } from '../../web/lib/auth/users';
import { launchBrowser, pageOutcome, startWebApp, type WebApp } from './harness';
import { startOidcProvider, type OidcProvider } from './oidc-provider';

const SSO_NAME = 'Example IdP';

let idp: OidcProvider;
/** Groups in a `groups` claim; no OIDC_DEFAULT_ROLE, so everyone else is a viewer. */
let app: WebApp;
/** Keycloak-style `realm_access.roles`, and OIDC_DEFAULT_ROLE=none. */
let strict: WebApp;
let browser: Browser;

before(async () => {
  idp = await startOidcProvider({
    ada: { email: 'Ada@Example.org', name: 'Ada Admin', groups: ['staff', 'sluice-admins'] },
    otto: { email: 'otto@example.org', name: 'Otto Operator', groups: ['sluice-operators'] },
    vera: { email: 'vera@example.org', name: 'Vera Viewer', groups: ['staff'] },
    nomail: { name: 'No Mail', groups: ['sluice-admins'] },
    // Someone who registered themselves at the provider with the address of Sluice's seeded admin.
    mallory: { email: 'admin@sluice.test', email_verified: false, name: 'Mallory', groups: ['sluice-admins'] },
    kim: { email: 'kim@example.org', name: 'Kim Keycloak', realm_access: { roles: ['sluice-admins'] } },
    nora: { email: 'nora@example.org', name: 'Nora Nobody', realm_access: { roles: ['offline_access'] } },
    sam: { email: 'sam@example.org', name: 'Sam', groups: ['sluice-operators'] },
    // Another account at the provider that was given Sam's address (a reassigned or re-created mailbox).
    samclone: { email: 'sam@example.org', name: 'Not Sam', groups: ['sluice-admins'] },
    pat: { email: 'pat@example.org', name: 'Pat Password', groups: ['staff'] },
    patclone: { email: 'pat@example.org', name: 'Not Pat', groups: ['staff'] },
  });
  const sso = { ...idp.env, OIDC_NAME: SSO_NAME, OIDC_ADMIN_GROUPS: 'sluice-admins', OIDC_OPERATOR_GROUPS: 'sluice-operators , ops' };
  [app, strict, browser] = await Promise.all([
    startWebApp({ env: sso }),
    startWebApp({ env: { ...sso, OIDC_ROLE_CLAIM: 'realm_access.roles', OIDC_DEFAULT_ROLE: 'none' } }),
    launchBrowser(),
  ]);
  await idp.allowRedirect(`${app.baseUrl}/api/auth/callback/oidc`);
  await idp.allowRedirect(`${strict.baseUrl}/api/auth/callback/oidc`);
});
after(async () => {
  await browser?.close();
  await Promise.all([app?.stop(), strict?.stop()]);
  await idp?.stop();
});

/** The single sign-on identity a Sluice user is bound to. */
async function boundIdentity(web: WebApp, email: string): Promise<{ id: number; oidc_issuer: string | null; oidc_subject: string | null } | undefined> {
  const store = await openStore(web.storeUrl);
  try {
    return await store.db.selectFrom('users').select(['id', 'oidc_issuer', 'oidc_subject']).where('email', '=', email).executeTakeFirst();
  } finally {
    await store.close();
  }
}

async function storedUser(web: WebApp, email: string): Promise<User | undefined> {
  const store = await openStore(web.storeUrl);
  try {
    return await findUserByEmail(store.db, email);
  } finally {
    await store.close();
  }
}

/**
 * From Sluice's log-in page through the provider's log-in form (and its consent form, when it asks) back
 * to Sluice. Ends wherever Sluice sends the browser: `next`, or the log-in page with a message.
 */
async function ssoLogin(page: Page, web: WebApp, login: string, next = '/runs'): Promise<void> {
  await page.goto(`${web.baseUrl}/login?next=${encodeURIComponent(next)}`);
  await page.getByRole('button', { name: `Log in with ${SSO_NAME}` }).click();
  await page.waitForURL((url) => url.origin === idp.issuer && url.pathname.startsWith('/interaction/'));
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill('any password will do');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  const backInSluice = (url: URL) => url.origin === web.baseUrl;
  const consent = page.getByRole('button', { name: 'Continue' });
  await Promise.race([page.waitForURL(backInSluice, { timeout: 30_000 }), consent.waitFor({ timeout: 30_000 })]);
  if (!backInSluice(new URL(page.url()))) {
    await consent.click();
    await page.waitForURL(backInSluice, { timeout: 30_000 });
  }
  // The callback redirects on; wait until the page Sluice chose has loaded.
  await page.waitForURL((url) => backInSluice(url) && !url.pathname.startsWith('/api/auth/'));
  await page.waitForLoadState('load');
}

/** The role shown in the page's header; a readable failure (the page's message, the server's log) if not logged in. */
async function shownRole(page: Page, web: WebApp): Promise<string | null> {
  if (new URL(page.url()).pathname === '/login') {
    // (Next's route announcer is an empty alert too.)
    const message = (await page.getByRole('alert').filter({ hasText: /\w/ }).first().textContent())?.trim();
    assert.fail(`sent back to the log-in page saying "${message}"; the server printed:\n${web.output().slice(-3000)}`);
  }
  return page.getByTestId('current-role').textContent();
}

/** Single sign-on as `login` ends back on Sluice's log-in page showing `message`, with no session. */
async function assertRefused(web: WebApp, login: string, message: string): Promise<void> {
  await withContext(async (context, page) => {
    await ssoLogin(page, web, login);
    assert.equal(new URL(page.url()).pathname, '/login');
    await page.getByRole('alert').filter({ hasText: message }).waitFor();
    assert.ok(!(await context.cookies(web.baseUrl)).some((c) => /session-token/.test(c.name)), 'no session');
    await page.goto(`${web.baseUrl}/runs`);
    assert.equal(new URL(page.url()).pathname, '/login', 'still not logged in');
  });
}

/** The Cookie header of a browser context's session with `web`, for plain fetches. */
async function cookieOf(context: BrowserContext, web: WebApp): Promise<string> {
  return (await context.cookies(web.baseUrl)).map((c) => `${c.name}=${c.value}`).join('; ');
}

async function withContext(work: (context: BrowserContext, page: Page) => Promise<void>): Promise<void> {
  const context = await browser.newContext();
  try {
    await work(context, await context.newPage());
  } finally {
    await context.close();
  }
}

describe('single sign-on with a groups claim', () => {
  test('the log-in page offers the provider by name', async () => {
    const html = (await (await fetch(`${app.baseUrl}/login`)).text()).replaceAll('<!-- -->', '');
    assert.ok(html.includes(`Log in with ${SSO_NAME}`), 'the button names the provider');
    // Discovery: the app's provider is real and reachable.
    const config = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as { issuer: string };
    assert.equal(config.issuer, idp.issuer);
  });

  test('a user in the admin group logs in through the provider and is admin', async () => {
    await withContext(async (context, page) => {
      await ssoLogin(page, app, 'ada', '/runs?status=failed');
      assert.equal(await shownRole(page, app), 'admin');
      assert.equal(await page.getByTestId('current-user').textContent(), 'Ada Admin');
      assert.equal(new URL(page.url()).pathname, '/runs', 'back where they were going');
      assert.equal(new URL(page.url()).search, '?status=failed');

      // An admin-only page answers, and lists the single-sign-on user without a password.
      await page.goto(`${app.baseUrl}/admin/users`);
      const row = page.getByTestId('user-ada@example.org');
      await row.waitFor();
      assert.match((await row.textContent()) ?? '', /none \(single sign-on\)/);
      assert.match((await row.textContent()) ?? '', /Ada Admin/);
      assert.equal((await pageOutcome(await app.fetch('/admin/tokens', { headers: { cookie: await cookieOf(context, app) } }))).outcome, 'ok');
    });
    const stored = await storedUser(app, 'ada@example.org');
    assert.equal(stored?.role, 'admin');
    assert.equal(stored?.hasPassword, false);
  });

  test('a user in an operator group is operator', async () => {
    await withContext(async (_context, page) => {
      await ssoLogin(page, app, 'otto');
      assert.equal(await shownRole(page, app), 'operator');
    });
  });

  test('a user in none of the groups gets the default role (viewer), and 403 on an admin page', async () => {
    await withContext(async (context, page) => {
      await ssoLogin(page, app, 'vera');
      assert.equal(await shownRole(page, app), 'viewer');
      const cookie = await cookieOf(context, app);
      const res = await app.fetch('/admin/users', { headers: { cookie } });
      assert.equal(res.status, 403);
      const { outcome, body } = await pageOutcome(res);
      assert.equal(outcome, 'forbidden');
      assert.ok(!body.includes('ada@example.org'), 'no user list for a viewer');
      await page.goto(`${app.baseUrl}/admin/users`);
      await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
    });
    assert.equal((await storedUser(app, 'vera@example.org'))?.role, 'viewer');
  });

  test("the provider's groups are the truth at every log-in: a user moved to the admin group is admin next time", async () => {
    idp.accounts.vera.groups = ['staff', 'sluice-admins'];
    try {
      await withContext(async (_context, page) => {
        await ssoLogin(page, app, 'vera');
        assert.equal(await shownRole(page, app), 'admin');
      });
    } finally {
      idp.accounts.vera.groups = ['staff'];
    }
  });

  test('a provider that sends no email is refused with a message saying so', async () => {
    await assertRefused(app, 'nomail', 'sent no email address');
  });

  test("an email the provider says is unverified does not open the Sluice account that has it", async () => {
    await assertRefused(app, 'mallory', 'says your email address is not verified');
    const admin = await storedUser(app, 'admin@sluice.test');
    assert.equal(admin?.name, 'Test admin', 'the account is untouched');
  });

  test('a single-sign-on user disabled in Sluice is refused at the next log-in', async () => {
    await withContext(async (_context, page) => {
      await ssoLogin(page, app, 'otto');
      assert.equal(await shownRole(page, app), 'operator');
    });
    const store = await openStore(app.storeUrl);
    try {
      await setUserDisabled(store.db, 'otto@example.org', true);
    } finally {
      await store.close();
    }
    await assertRefused(app, 'otto', 'This account is disabled. Ask an admin to enable it.');
  });
});

describe("single sign-on bound to the provider's subject", () => {
  const OTHER_IDENTITY = 'The Sluice account with this email belongs to another single sign-on identity';

  test('the first log-in binds the user to issuer and subject; another subject with the same email is refused', async () => {
    await withContext(async (_context, page) => {
      await ssoLogin(page, app, 'sam');
      assert.equal(await shownRole(page, app), 'operator');
    });
    const bound = await boundIdentity(app, 'sam@example.org');
    assert.equal(bound?.oidc_issuer, idp.issuer);
    assert.equal(bound?.oidc_subject, 'sam');
    await assertRefused(app, 'samclone', OTHER_IDENTITY);
    assert.equal((await storedUser(app, 'sam@example.org'))?.role, 'operator', 'the account is untouched (not made admin)');
  });

  test('an existing user without a subject (added with a password) is bound at their next single sign-on', async () => {
    const store = await openStore(app.storeUrl);
    try {
      await createUser(store.db, { email: 'pat@example.org', role: 'viewer', password: 'pats own password' });
    } finally {
      await store.close();
    }
    assert.equal((await boundIdentity(app, 'pat@example.org'))?.oidc_subject, null);
    await withContext(async (_context, page) => {
      await ssoLogin(page, app, 'pat');
      assert.equal(await shownRole(page, app), 'viewer');
    });
    assert.equal((await boundIdentity(app, 'pat@example.org'))?.oidc_subject, 'pat');
    await assertRefused(app, 'patclone', OTHER_IDENTITY);
  });

  test('a bound user whose address changes at the provider keeps their account, under the new address', async () => {
    const before = await boundIdentity(app, 'sam@example.org');
    idp.accounts.sam.email = 'samuel@example.org';
    try {
      await withContext(async (_context, page) => {
        await ssoLogin(page, app, 'sam');
        assert.equal(await shownRole(page, app), 'operator');
      });
    } finally {
      idp.accounts.sam.email = 'sam@example.org';
    }
    assert.equal((await boundIdentity(app, 'samuel@example.org'))?.id, before?.id);
    assert.equal(await storedUser(app, 'sam@example.org'), undefined);
  });
});

describe('single sign-on with Keycloak-style realm roles and OIDC_DEFAULT_ROLE=none', () => {
  test('a nested realm_access.roles claim maps to admin', async () => {
    await withContext(async (_context, page) => {
      await ssoLogin(page, strict, 'kim');
      assert.equal(await shownRole(page, strict), 'admin');
    });
  });

  test('a user in none of the groups is refused with a readable message, and not added', async () => {
    await assertRefused(strict, 'nora', 'Your account is in none of the groups allowed into Sluice. Ask an admin.');
    assert.equal(await storedUser(strict, 'nora@example.org'), undefined);
  });
});
