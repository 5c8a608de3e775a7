// Password guessing against the real web app (next start) cannot lock an account's owner out, and is still
// held back: a thousand wrong passwords for the admin's email from forty other networks, then the owner
// logs in from their own network through the log-in page in Chromium; and from one network, a brute force
// and a password spray are cut off at their limits. The app trusts 127.0.0.1 as its reverse proxy
// (SLUICE_TRUST_PROXY), so each request can say, in X-Forwarded-For, which client address it comes from.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { openStore } from 'sluice/internal/store';
import { ADDRESS_MAX_FAILURES, MAX_FAILURES } from '../../web/lib/auth/lockout';
import { launchBrowser, startWebApp, type WebApp } from './harness';

const WRONG = 'Wrong email or password.';
// The minutes left count down while the test runs (the lock's length is auth-units.test.ts's to check).
const EMAIL_LOCKED = /^Too many failed log-ins for this email from your network address\. Try again in \d+ minutes?, or ask an admin to reset your password\.$/;
const ADDRESS_LOCKED = /^Too many failed log-ins from your network address\. Try again in \d+ minutes?\.$/;
/** How many log-ins are in flight at once: enough to race the counters, few enough for a shared machine. */
const PARALLEL = 16;

let app: WebApp;
let browser: Browser;
before(async () => {
  [app, browser] = await Promise.all([startWebApp({ env: { SLUICE_TRUST_PROXY: '127.0.0.1' } }), launchBrowser()]);
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

/** Every log-in this file posts, so each test can check it sent what it meant to and no more. */
let posted = 0;

interface Outcome {
  loggedIn: boolean;
  /** What the log-in form would show: next-auth hands the refusal's message back in its `?error=`. */
  error: string | null;
}

/** Posts one log-in as the log-in form does (next-auth's credentials callback), from `address`. */
async function logIn(email: string, password: string, address: string): Promise<Outcome> {
  posted += 1;
  const csrf = await csrfToken();
  const res = await fetch(`${app.baseUrl}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrf.cookie, 'x-forwarded-for': address },
    body: new URLSearchParams({ csrfToken: csrf.token, email, password, json: 'true' }),
  });
  const { url } = (await res.json()) as { url: string };
  return { loggedIn: res.headers.getSetCookie().some((c) => /session-token=/.test(c)), error: new URL(url).searchParams.get('error') };
}

let csrf: Promise<{ token: string; cookie: string }> | undefined;
/** One CSRF token and its cookie for every post (next-auth checks that the two match, not how often they are used). */
function csrfToken() {
  csrf ??= fetch(`${app.baseUrl}/api/auth/csrf`).then(async (res) => ({
    token: ((await res.json()) as { csrfToken: string }).csrfToken,
    cookie: res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; '),
  }));
  return csrf;
}

/** Runs the jobs `PARALLEL` at a time, in order; the results in the jobs' order. */
async function inParallel<T>(jobs: Array<() => Promise<T>>): Promise<T[]> {
  const results = new Array<T>(jobs.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < jobs.length; i = next++) results[i] = await jobs[i]!();
  };
  await Promise.all(Array.from({ length: PARALLEL }, lane));
  return results;
}

/** How many outcomes said what. */
function tally(outcomes: Outcome[]): Record<'loggedIn' | 'wrong' | 'emailLocked' | 'addressLocked' | 'other', number> {
  const count = { loggedIn: 0, wrong: 0, emailLocked: 0, addressLocked: 0, other: 0 };
  for (const o of outcomes) {
    if (o.loggedIn) count.loggedIn += 1;
    else if (o.error === WRONG) count.wrong += 1;
    else if (EMAIL_LOCKED.test(o.error ?? '')) count.emailLocked += 1;
    else if (ADDRESS_LOCKED.test(o.error ?? '')) count.addressLocked += 1;
    else count.other += 1;
  }
  return count;
}

async function failureRows(email: string) {
  const store = await openStore(app.storeUrl);
  try {
    return await store.db.selectFrom('login_failures').selectAll().where('email', '=', email).execute();
  } finally {
    await store.close();
  }
}

describe('guessing from many networks', () => {
  const NETWORKS = 40; // half IPv4 addresses, half IPv6 /64s
  const GUESSES = 25; // per network: five times the limit, so most guesses are refused unchecked
  const OWNER_ADDRESS = '198.51.100.200';

  /** The network's address for one guess: IPv6 attackers take a fresh address of their /64 for each guess. */
  function attacker(network: number, guess: number): string {
    return network < NETWORKS / 2 ? `203.0.113.${network + 1}` : `2001:db8:${(network + 1).toString(16)}:7:${(guess + 1).toString(16)}::1`;
  }

  test('a thousand wrong passwords for the admin: each network gets 5 checked, and the admin still logs in, during the attack and after it in the browser', { timeout: 300_000 }, async () => {
    const owner = app.users.admin;
    const sentBefore = posted;
    const guesses = Array.from({ length: NETWORKS * GUESSES }, (_, i) => {
      const network = Math.floor(i / GUESSES);
      return { network, job: () => logIn(owner.email, `guess ${i}`, attacker(network, i % GUESSES)) };
    });
    // The owner's own log-in, halfway through, while the guesses are in flight around it.
    const half = guesses.length / 2;
    const jobs = [...guesses.slice(0, half).map((g) => g.job), () => logIn(owner.email, owner.password, OWNER_ADDRESS), ...guesses.slice(half).map((g) => g.job)];
    const outcomes = await inParallel(jobs);
    assert.equal(posted - sentBefore, NETWORKS * GUESSES + 1, 'a thousand guesses and the one log-in, nothing more');

    const [during] = outcomes.splice(half, 1);
    assert.deepEqual(during, { loggedIn: true, error: null }, 'the owner logged in while under attack');
    // Per network, the limit of guesses was checked (the last of them is told of the lock it set), and the
    // rest refused unchecked; a fresh IPv6 address of the same /64 is the same network.
    const perNetwork = { loggedIn: 0, wrong: MAX_FAILURES - 1, emailLocked: GUESSES - MAX_FAILURES + 1, addressLocked: 0, other: 0 };
    for (let network = 0; network < NETWORKS; network++) {
      assert.deepEqual(tally(outcomes.filter((_, i) => guesses[i]!.network === network)), perNetwork, `network ${network}`);
    }
    const rows = await failureRows(owner.email);
    assert.equal(rows.length, NETWORKS, 'one count per network, none for the owner, who logged in');
    assert.ok(rows.some((r) => r.address === '2001:db8:15:7::/64'), 'IPv6 guesses counted by their /64');
    assert.ok(rows.every((r) => r.failures === GUESSES && r.locked_until !== null));

    // After the attack, through the log-in page, from the owner's network.
    const context = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': OWNER_ADDRESS } });
    try {
      const page = await context.newPage();
      await page.goto(`${app.baseUrl}/login?next=${encodeURIComponent('/runs')}`);
      await page.getByLabel('Email').fill(owner.email);
      await page.getByLabel('Password').fill(owner.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL((url) => url.pathname === '/runs', { timeout: 30_000 });
      assert.equal(await page.getByTestId('current-user').textContent(), 'Test admin');
    } finally {
      await context.close();
    }
    // And the attackers are still shut out, the right password included.
    assert.match((await logIn(owner.email, owner.password, attacker(0, 0))).error ?? '', EMAIL_LOCKED);
  });
});

describe('guessing from one network', () => {
  test(`a brute force gets ${MAX_FAILURES} guesses at an email; the owner, elsewhere, logs in`, { timeout: 120_000 }, async () => {
    const owner = app.users.operator;
    const sentBefore = posted;
    const outcomes = await inParallel(Array.from({ length: 12 }, (_, i) => () => logIn(owner.email, `guess ${i}`, '198.51.100.66')));
    assert.deepEqual(tally(outcomes), { loggedIn: 0, wrong: MAX_FAILURES - 1, emailLocked: 12 - MAX_FAILURES + 1, addressLocked: 0, other: 0 });
    // The trade-off of counting per network: from the attacker's own network, the right password waits too.
    assert.match((await logIn(owner.email, owner.password, '198.51.100.66')).error ?? '', EMAIL_LOCKED);
    assert.deepEqual(await logIn(owner.email, owner.password, '198.51.100.201'), { loggedIn: true, error: null });
    assert.equal(posted - sentBefore, 14);
  });

  test(`a password spray gets ${ADDRESS_MAX_FAILURES} guesses in all, however many addresses of its /64 it uses`, { timeout: 120_000 }, async () => {
    const sentBefore = posted;
    const spray = ADDRESS_MAX_FAILURES + 10;
    const outcomes = await inParallel(Array.from({ length: spray }, (_, i) => () => logIn(`user${i}@sluice.test`, 'Summer2026!', `2001:db8:ffff:1::${(i + 1).toString(16)}`)));
    assert.deepEqual(tally(outcomes), { loggedIn: 0, wrong: ADDRESS_MAX_FAILURES, emailLocked: 0, addressLocked: spray - ADDRESS_MAX_FAILURES, other: 0 });
    const viewer = app.users.viewer;
    assert.match((await logIn(viewer.email, viewer.password, '2001:db8:ffff:1::abcd')).error ?? '', ADDRESS_LOCKED);
    assert.deepEqual(await logIn(viewer.email, viewer.password, '2001:db8:ffff:2::abcd'), { loggedIn: true, error: null }, 'the next /64 is another network');
    assert.equal(posted - sentBefore, spray + 2);
  });
});
