// Log-in, log-out, roles and API tokens as a person uses them: Debian's Chromium against the built app.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchBrowser, loggedInContext, loginInBrowser, startWebApp, type WebApp } from './harness';

let app: WebApp;
let browser: Browser;
before(async () => {
  [app, browser] = await Promise.all([startWebApp(), launchBrowser()]);
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

/** The Cookie header of a browser context, as a copied cookie would be replayed. */
async function cookieHeader(context: BrowserContext): Promise<string> {
  return (await context.cookies(app.baseUrl)).map((c) => `${c.name}=${c.value}`).join('; ');
}

describe('log-in and log-out in the browser', () => {
  test('not logged in: sent to the log-in page, then back to where they were going', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${app.baseUrl}/runs?status=failed`);
      assert.equal(new URL(page.url()).pathname, '/login');
      assert.equal(new URL(page.url()).searchParams.get('next'), '/runs?status=failed');
      await page.getByLabel('Email').fill(app.users.viewer.email);
      await page.getByLabel('Password').fill(app.users.viewer.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL((url) => url.pathname === '/runs');
      assert.equal(new URL(page.url()).search, '?status=failed');
      // Secure cookies over http://127.0.0.1: Chromium keeps them (loopback counts as a secure context).
      const cookies = await context.cookies();
      assert.ok(cookies.some((c) => c.name === '__Secure-next-auth.session-token' && c.secure && c.httpOnly));
      assert.equal(await page.getByTestId('current-user').textContent(), 'Test viewer');
    } finally {
      await context.close();
    }
  });

  test('a wrong password shows a message beside the form and stays on the page', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${app.baseUrl}/login`);
      await page.getByLabel('Email').fill(app.users.operator.email);
      await page.getByLabel('Password').fill('definitely wrong');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('alert').filter({ hasText: 'Wrong email or password.' }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/login');
    } finally {
      await context.close();
    }
  });

  test('a crafted next= never leads off Sluice: the form sends a /%09/evil.example log-in home, and so does the page when logged in', async () => {
    const context = await browser.newContext();
    // Every request the pages make, by origin: anything not Sluice's is recorded and never sent.
    const offsite: string[] = [];
    await context.route('**/*', (route) => {
      if (new URL(route.request().url()).origin === app.baseUrl) return route.continue();
      offsite.push(route.request().url());
      return route.abort();
    });
    try {
      const page = await context.newPage();
      // The case: the browser strips the tab from '/\t/evil.example' and would go to //evil.example.
      await page.goto(`${app.baseUrl}/login?next=/%09/evil.example`);
      await page.getByLabel('Email').fill(app.users.viewer.email);
      await page.getByLabel('Password').fill(app.users.viewer.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL((url) => url.pathname !== '/login');
      assert.equal(new URL(page.url()).origin, app.baseUrl);
      assert.equal(new URL(page.url()).pathname, '/');
      await page.getByTestId('current-user').waitFor();
      // Logged in, the log-in page sends straight on to next= (a server redirect): the other spellings.
      for (const next of ['%2F%09%2Fevil.example', '%09//evil.example', '/%5C/evil.example', '%2F%2Fevil.example', '/.//evil.example', 'https://evil.example/', 'javascript:alert(1)']) {
        await page.goto(`${app.baseUrl}/login?next=${next}`);
        assert.equal(new URL(page.url()).origin, app.baseUrl, next);
        assert.notEqual(new URL(page.url()).pathname, '/login', next);
      }
      assert.deepEqual(offsite, []);
    } finally {
      await context.close();
    }
  });

  test('log-out ends the session: the cookie is gone, and a copy of it taken before is refused', async () => {
    const context = await loggedInContext(browser, app, 'operator');
    try {
      const page = await context.newPage();
      await page.goto(`${app.baseUrl}/runs`);
      const copied = await cookieHeader(context);
      assert.equal((await fetch(`${app.baseUrl}/api/runs`, { headers: { cookie: copied } })).status, 200);
      await page.getByRole('button', { name: 'Log out', exact: true }).click();
      await page.waitForURL((url) => url.pathname === '/login');
      assert.ok(!(await context.cookies()).some((c) => /session-token/.test(c.name)), 'the session cookie is gone');
      await page.goto(`${app.baseUrl}/runs`);
      assert.equal(new URL(page.url()).pathname, '/login');
      const replayed = await fetch(`${app.baseUrl}/api/runs`, { headers: { cookie: copied } });
      assert.equal(replayed.status, 401, 'the copied cookie no longer opens anything');
    } finally {
      await context.close();
    }
  });

  test('"Log out everywhere" ends the sessions in other browsers too', async () => {
    const [laptop, phone] = await Promise.all([loggedInContext(browser, app, 'viewer'), loggedInContext(browser, app, 'viewer')]);
    try {
      const phoneCookie = await cookieHeader(phone);
      assert.equal((await fetch(`${app.baseUrl}/api/runs`, { headers: { cookie: phoneCookie } })).status, 200);
      const page = await laptop.newPage();
      await page.goto(`${app.baseUrl}/runs`);
      await page.getByRole('button', { name: 'Log out everywhere' }).click();
      await page.waitForURL((url) => url.pathname === '/login');
      const phonePage = await phone.newPage();
      // Its cookie passes the proxy's quick look, so the refusal comes while the page streams: a redirect.
      await phonePage.goto(`${app.baseUrl}/runs`);
      await phonePage.waitForURL((url) => url.pathname === '/login', { timeout: 15_000 });
      assert.equal((await fetch(`${app.baseUrl}/api/runs`, { headers: { cookie: phoneCookie } })).status, 401);
    } finally {
      await Promise.all([laptop.close(), phone.close()]);
    }
    // Logging in again works as ever.
    const again = await loggedInContext(browser, app, 'viewer');
    await again.close();
  });
});

describe('roles in the browser', () => {
  test('a viewer is refused the admin pages and sees no admin links', async () => {
    const context = await loggedInContext(browser, app, 'viewer');
    try {
      const page = await context.newPage();
      await page.goto(`${app.baseUrl}/admin/users`);
      await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
      assert.equal(await page.getByText('operator@sluice.test').count(), 0);
      assert.equal(await page.getByRole('link', { name: 'Users' }).count(), 0);
    } finally {
      await context.close();
    }
  });

  test('an admin adds a user, who can then log in with the role given', async () => {
    const context = await loggedInContext(browser, app, 'admin');
    try {
      const page = await context.newPage();
      await page.goto(`${app.baseUrl}/admin/users`);
      const form = page.getByTestId('add-user');
      await form.getByLabel('Email').fill('Newcomer@Sluice.test');
      await form.getByLabel('Role').selectOption('operator');
      await form.getByLabel('Password').fill('short');
      await form.getByRole('button', { name: 'Add user' }).click();
      await form.getByText(/Use at least 10 characters/).waitFor();
      // What was typed is still there (but not the password); only the password needs typing again.
      assert.equal(await form.getByLabel('Email').inputValue(), 'Newcomer@Sluice.test');
      assert.equal(await form.getByLabel('Role').inputValue(), 'operator');
      assert.equal(await form.getByLabel('Password').inputValue(), '');
      await form.getByLabel('Password').fill('newcomers password');
      await form.getByRole('button', { name: 'Add user' }).click();
      await form.getByText('Added newcomer@sluice.test as operator.').waitFor();
      await page.getByTestId('user-newcomer@sluice.test').waitFor();
    } finally {
      await context.close();
    }
    const fresh = await browser.newContext();
    try {
      const page = await fresh.newPage();
      await loginInBrowser(page, { ...app, users: { ...app.users, operator: { email: 'newcomer@sluice.test', password: 'newcomers password', role: 'operator' } } }, 'operator');
      assert.equal(await page.getByTestId('current-role').textContent(), 'operator');
    } finally {
      await fresh.close();
    }
  });
});

describe('ending sessions in the browser', () => {
  test("an admin ends another user's sessions from the Users page; that user's cookie is refused", async () => {
    const operator = await loggedInContext(browser, app, 'operator');
    const admin = await loggedInContext(browser, app, 'admin');
    try {
      const cookie = await cookieHeader(operator);
      assert.equal((await fetch(`${app.baseUrl}/api/runs`, { headers: { cookie } })).status, 200);
      const page = await admin.newPage();
      await page.goto(`${app.baseUrl}/admin/users`);
      const row = page.getByTestId(`user-${app.users.operator.email}`);
      await row.getByRole('button', { name: 'End sessions' }).click();
      await row.getByText(`Every session of ${app.users.operator.email} has ended`).waitFor();
      assert.equal((await fetch(`${app.baseUrl}/api/runs`, { headers: { cookie } })).status, 401);
      // The admin's own session is untouched.
      await page.reload();
      await page.getByTestId('current-role').waitFor();
    } finally {
      await Promise.all([operator.close(), admin.close()]);
    }
  });
});

describe('API tokens in the browser', () => {
  test('an admin creates a token expiring in 30 days, shown once; a program uses it; revoked, it stops working', async () => {
    const context = await loggedInContext(browser, app, 'admin');
    try {
      const page = await context.newPage();
      await page.goto(`${app.baseUrl}/admin/tokens`);
      const form = page.getByTestId('create-token');
      await form.getByLabel('Name').fill('python-etl');
      await form.getByLabel('Role').selectOption('operator');
      await form.getByLabel('Expires after (days)').fill('30');
      await form.getByRole('button', { name: 'Create token' }).click();
      const token = (await page.getByTestId('new-token').textContent())!.trim();
      const expiry = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
      await form.getByText(`it expires on ${expiry}`).waitFor();
      assert.match((await page.getByTestId('token-python-etl').textContent()) ?? '', new RegExp(expiry), 'the list shows when it expires');
      assert.match(token, /^slc_/);

      // A program with the token (no cookie): reads and may start runs (404: no such flow, so authorised).
      assert.equal((await fetch(`${app.baseUrl}/api/runs`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
      const start = await fetch(`${app.baseUrl}/api/runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ flow: 'noSuchFlow', parameters: {} }),
      });
      assert.equal(start.status, 404);
      // Without it: refused.
      assert.equal((await fetch(`${app.baseUrl}/api/runs`)).status, 401);

      await page.reload();
      assert.equal(await page.getByTestId('new-token').count(), 0, 'the secret is not shown again');
      const row = page.getByTestId('token-python-etl');
      assert.doesNotMatch((await row.textContent()) ?? '', /slc_/);
      page.once('dialog', (dialog) => dialog.accept());
      await row.getByRole('button', { name: 'Revoke' }).click();
      await row.getByText(/revoked/).waitFor();
      assert.equal((await fetch(`${app.baseUrl}/api/runs`, { headers: { authorization: `Bearer ${token}` } })).status, 401);
    } finally {
      await context.close();
    }
  });
});
