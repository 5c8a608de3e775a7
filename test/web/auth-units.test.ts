// Unit tests of the web app's auth building blocks, against a real SQLite store (no server, no browser).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStore, type Store } from 'sluice/internal/store';
import { parseEnv, EnvError } from '../../web/lib/env';
import { checkCredentials, LoginError, WRONG_CREDENTIALS } from '../../web/lib/auth/credentials';
import { ensureFirstAdmin } from '../../web/lib/auth/first-admin';
import { countAttempt, failureDelayMs, LOCK_MS, MAX_FAILURES, overLimit, WINDOW_MS } from '../../web/lib/auth/lockout';
import { loginErrorMessage } from '../../web/lib/auth/login-errors';
import { oidcRole } from '../../web/lib/auth/oidc-role';
import { hashPassword, NO_PASSWORD, verifyPassword, WeakPasswordError } from '../../web/lib/auth/passwords';
import { hasRole } from '../../web/lib/auth/roles';
import { createApiToken, hashToken, listApiTokens, lookUpApiToken, revokeApiToken } from '../../web/lib/auth/tokens';
import { createUser, findUserByEmail, setUserDisabled, setUserPassword, setUserRole, UserError } from '../../web/lib/auth/users';
import { safeNext } from '../../web/app/login/safe-next';
import { addressGroup, clientAddress, normalizeAddress, parseProxyTrust } from '../../web/lib/auth/client-address';

/** The client address of these log-ins; limits across addresses: auth-lockout*.test.ts. */
const FROM = { address: '192.0.2.10' };

let dir: string;
let store: Store;
before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sluice-auth-'));
  store = await openStore(`sqlite:${path.join(dir, 'sluice.db')}`, { migrate: true });
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('passwords', () => {
  test('a scrypt hash verifies its password only, and is salted', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    assert.match(a, /^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    assert.notEqual(a, b);
    assert.equal(await verifyPassword('correct horse battery', a), true);
    assert.equal(await verifyPassword('correct horse batterY', a), false);
  });

  test('tampered hashes and the SSO placeholder never match', async () => {
    const hash = await hashPassword('correct horse battery');
    // A character well inside the key: the last one of 32 bytes in base64url also carries 2 bits of padding,
    // so changing it (A ↔ B) can decode to the very same bytes.
    const at = hash.length - 10;
    const tampered = hash.slice(0, at) + (hash[at] === 'A' ? 'B' : 'A') + hash.slice(at + 1);
    assert.equal(await verifyPassword('correct horse battery', tampered), false);
    assert.equal(await verifyPassword('', NO_PASSWORD), false);
    assert.equal(await verifyPassword('x', 'plain-text'), false);
  });

  test('too short a password is refused with a readable message', async () => {
    await assert.rejects(hashPassword('short'), (e: Error) => e instanceof WeakPasswordError && /at least 10/.test(e.message));
  });
});

describe('users', () => {
  test('emails are stored lowercased; duplicates and bad roles are refused readably', async () => {
    const user = await createUser(store.db, { email: ' Carol@Example.ORG ', role: 'viewer', password: 'carols password' });
    assert.equal(user.email, 'carol@example.org');
    await assert.rejects(createUser(store.db, { email: 'carol@example.org', role: 'viewer' }), /already exists/);
    await assert.rejects(createUser(store.db, { email: 'not-an-email', role: 'viewer' }), (e: Error) => e instanceof UserError && /not an email/.test(e.message));
    await assert.rejects(createUser(store.db, { email: 'x@y.z', role: 'root' as never }), /not a role/);
    assert.equal((await setUserRole(store.db, 'CAROL@example.org', 'operator')).role, 'operator');
    assert.equal((await findUserByEmail(store.db, 'carol@example.org'))?.role, 'operator');
    await assert.rejects(setUserRole(store.db, 'nobody@example.org', 'admin'), /no user nobody@example.org/);
  });

  test('roles are ordered viewer < operator < admin', () => {
    assert.equal(hasRole('admin', 'operator'), true);
    assert.equal(hasRole('operator', 'operator'), true);
    assert.equal(hasRole('viewer', 'operator'), false);
    assert.equal(hasRole('operator', 'admin'), false);
  });
});

describe('log-in and lock-out', () => {
  test('right password logs in; wrong password and unknown email say the same thing', async () => {
    await createUser(store.db, { email: 'dave@example.org', role: 'viewer', password: 'daves password' });
    assert.equal((await checkCredentials(store.db, 'Dave@example.org', 'daves password', FROM)).email, 'dave@example.org');
    await assert.rejects(checkCredentials(store.db, 'dave@example.org', 'wrong password', FROM), { message: WRONG_CREDENTIALS });
    await assert.rejects(checkCredentials(store.db, 'nobody@example.org', 'wrong password', FROM), { message: WRONG_CREDENTIALS });
  });

  test(`after ${MAX_FAILURES} failures from one address the email is locked there, even for the right password, not elsewhere; a new password unlocks`, async () => {
    await createUser(store.db, { email: 'erin@example.org', role: 'viewer', password: 'erins password' });
    const started = Date.now();
    for (let i = 1; i < MAX_FAILURES; i++) {
      await assert.rejects(checkCredentials(store.db, 'erin@example.org', `guess ${i}`, FROM), { message: WRONG_CREDENTIALS });
    }
    await assert.rejects(checkCredentials(store.db, 'erin@example.org', 'guess 5', FROM), /Too many failed log-ins.*15 minutes/);
    // Each failure was held back a little longer: 250 + 500 + 750 + 1000 + 1250 ms.
    assert.ok(Date.now() - started >= 3_700, `failures answered too fast: ${Date.now() - started} ms`);
    await assert.rejects(checkCredentials(store.db, 'erin@example.org', 'erins password', FROM), (e: Error) => e instanceof LoginError && /Too many/.test(e.message));
    // From her own address the guesses above count for nothing: she logs in, and the lock elsewhere stays.
    assert.equal((await checkCredentials(store.db, 'erin@example.org', 'erins password', { address: '198.51.100.20' })).email, 'erin@example.org');
    await assert.rejects(checkCredentials(store.db, 'erin@example.org', 'erins password', FROM), /Too many/);
    await setUserPassword(store.db, 'erin@example.org', 'a brand new password');
    assert.equal((await checkCredentials(store.db, 'erin@example.org', 'a brand new password', FROM)).email, 'erin@example.org');
  });

  test('the lock lasts LOCK_MS; failures older than the window are forgotten', async () => {
    const of = { email: 'frank@example.org', ...FROM };
    const t0 = 1_000_000_000;
    for (let i = 0; i < MAX_FAILURES - 1; i++) await countAttempt(store.db, of, t0 + i);
    // One more attempt after the window: it starts a new count instead of locking.
    assert.deepEqual(await countAttempt(store.db, of, t0 + WINDOW_MS + 10), { failures: 1, lockedUntil: null });
    let last;
    for (let i = 0; i < MAX_FAILURES - 1; i++) last = await countAttempt(store.db, of, t0 + WINDOW_MS + 20 + i);
    const until = t0 + WINDOW_MS + 20 + MAX_FAILURES - 2 + LOCK_MS;
    // The limit-th attempt is still checked (it may be the right password), and sets the lock.
    assert.deepEqual(last, { failures: MAX_FAILURES, lockedUntil: until });
    assert.equal(overLimit(of, last!), false);
    const refused = await countAttempt(store.db, of, t0 + WINDOW_MS + 100);
    assert.deepEqual(refused, { failures: MAX_FAILURES + 1, lockedUntil: until }, 'attempts while locked do not move the lock');
    assert.equal(overLimit(of, refused), true);
    assert.deepEqual(await countAttempt(store.db, of, until + 1), { failures: 1, lockedUntil: null }, 'after the lock, a fresh count');
    assert.equal(failureDelayMs(1), 250);
    assert.equal(failureDelayMs(100), 2_000);
  });

  test('a disabled user cannot log in', async () => {
    await createUser(store.db, { email: 'gina@example.org', role: 'admin', password: 'ginas password' });
    await setUserDisabled(store.db, 'gina@example.org', true);
    await assert.rejects(checkCredentials(store.db, 'gina@example.org', 'ginas password', FROM), /disabled/);
  });
});

describe('API tokens', () => {
  test('a token is stored hashed, found while live, refused once revoked', async () => {
    const { token, apiToken } = await createApiToken(store.db, { name: 'rainfall-etl', role: 'operator', createdBy: null });
    assert.match(token, /^slc_[\w-]{43}$/);
    const row = await store.db.selectFrom('api_tokens').selectAll().where('id', '=', apiToken.id).executeTakeFirstOrThrow();
    assert.equal(row.token_hash, hashToken(token));
    assert.ok(!JSON.stringify(row).includes(token.slice(4)), 'the secret itself is not stored');
    const found = await lookUpApiToken(store.db, token);
    assert.ok('token' in found);
    assert.equal(found.token.name, 'rainfall-etl');
    assert.ok(found.token.lastUsedAt, 'last_used_at is set on use');
    assert.equal(found.token.expiresAt, null, 'no expiry unless asked for');
    assert.deepEqual(await lookUpApiToken(store.db, token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))), { refused: 'This API token is unknown or revoked. Ask an admin for a new one.' });
    await assert.rejects(createApiToken(store.db, { name: 'rainfall-etl', role: 'viewer', createdBy: null }), /already exists/);
    await revokeApiToken(store.db, apiToken.id);
    assert.match(((await lookUpApiToken(store.db, token)) as { refused: string }).refused, /unknown or revoked/);
    assert.ok((await listApiTokens(store.db)).find((t) => t.id === apiToken.id)?.revokedAt);
    await assert.rejects(createApiToken(store.db, { name: 'bad name!', role: 'viewer', createdBy: null }), /cannot name a token/);
  });

  test('a token with an expiry works until then, and is refused afterwards saying so', async () => {
    const t0 = Date.now();
    const { token, apiToken } = await createApiToken(store.db, { name: 'quarterly', role: 'viewer', createdBy: null, expiresInDays: 90 }, t0);
    assert.equal(apiToken.expiresAt, t0 + 90 * 86_400_000);
    assert.ok('token' in (await lookUpApiToken(store.db, token, apiToken.expiresAt! - 1)));
    const late = await lookUpApiToken(store.db, token, apiToken.expiresAt!);
    assert.deepEqual(late, { refused: `This API token ('quarterly') expired on ${new Date(apiToken.expiresAt!).toISOString()}. Ask an admin for a new one.` });
    for (const bad of [0, -1, 1.5, 3651]) {
      await assert.rejects(createApiToken(store.db, { name: `bad-${bad}`, role: 'viewer', createdBy: null, expiresInDays: bad }), /whole number of days from 1 to 3650/);
    }
  });
});

describe('first admin', () => {
  test('only on an empty users table; a generated password that works', async () => {
    const emptyDir = mkdtempSync(path.join(tmpdir(), 'sluice-first-'));
    const fresh = await openStore(`sqlite:${path.join(emptyDir, 'sluice.db')}`, { migrate: true });
    try {
      const first = await ensureFirstAdmin(fresh.db, { email: 'admin@localhost', password: null });
      assert.ok(first.created && first.generatedPassword && first.generatedPassword.length >= 20);
      assert.equal((await checkCredentials(fresh.db, 'admin@localhost', first.generatedPassword, FROM)).role, 'admin');
      assert.deepEqual(await ensureFirstAdmin(fresh.db, { email: 'other@localhost', password: null }), { created: false });
    } finally {
      await fresh.close();
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });
});

describe('settings', () => {
  const base = { NODE_ENV: 'production', SLUICE_DATA_DIR: '/tmp/x' };

  test('production refuses to start without NEXTAUTH_SECRET, and says how to make one', () => {
    assert.throws(() => parseEnv(base), (e: Error) => e instanceof EnvError && /NEXTAUTH_SECRET: required in production.*openssl rand/.test(e.message));
    assert.throws(() => parseEnv({ ...base, NEXTAUTH_SECRET: 'short' }), /at least 32 characters/);
    const env = parseEnv({ ...base, NEXTAUTH_SECRET: 'x'.repeat(40) });
    assert.equal(env.secureCookies, true);
    assert.equal(env.storeUrl, 'sqlite:/tmp/x/sluice.db');
  });

  test('development works without a secret, with a warning and insecure cookies', () => {
    const env = parseEnv({ NODE_ENV: 'development' });
    assert.equal(env.secureCookies, false);
    assert.match(env.warnings.join('\n'), /development-only secret/);
  });

  test('a production build (next build) needs no secret, and does not warn about it', () => {
    const env = parseEnv({ ...base, NEXT_PHASE: 'phase-production-build' });
    assert.doesNotMatch(env.warnings.join('\n'), /NEXTAUTH_SECRET/);
  });

  test('OIDC settings need a client id and secret', () => {
    assert.throws(() => parseEnv({ NODE_ENV: 'development', OIDC_ISSUER: 'https://id.example.org/realms/data' }), /OIDC_CLIENT_ID: required/);
    const env = parseEnv({
      NODE_ENV: 'development',
      OIDC_ISSUER: 'https://id.example.org/realms/data/',
      OIDC_CLIENT_ID: 'sluice',
      OIDC_CLIENT_SECRET: 's3cret',
      OIDC_ROLE_CLAIM: 'realm_access.roles',
      OIDC_ADMIN_GROUPS: 'sluice-admins',
      OIDC_OPERATOR_GROUPS: 'hydrology, ops',
      OIDC_DEFAULT_ROLE: 'none',
    });
    assert.equal(env.oidc?.issuer, 'https://id.example.org/realms/data');
    assert.deepEqual(env.oidc?.operatorGroups, ['hydrology', 'ops']);
    assert.equal(env.oidc?.defaultRole, null);
    assert.equal(env.oidc?.scopes, 'openid email profile', 'the scopes Sluice needs, and no others unless asked');
    const withGroups = parseEnv({ NODE_ENV: 'development', OIDC_ISSUER: 'https://dex.example.org', OIDC_CLIENT_ID: 'a', OIDC_CLIENT_SECRET: 'b', OIDC_SCOPES: 'groups, offline_access email' });
    assert.equal(withGroups.oidc?.scopes, 'openid email profile groups offline_access');
    assert.throws(() => parseEnv({ NODE_ENV: 'development', OIDC_DEFAULT_ROLE: 'root' }), /OIDC_DEFAULT_ROLE: must be one of/);
  });
});

describe('client addresses', () => {
  test('SLUICE_TRUST_PROXY: unset, a hop count, or the proxies\' addresses and networks; anything else is refused, saying what to give', () => {
    const base = { NODE_ENV: 'development' };
    assert.deepEqual(parseEnv(base).proxyTrust, { hops: 0 });
    assert.deepEqual(parseEnv({ ...base, SLUICE_TRUST_PROXY: '2' }).proxyTrust, { hops: 2 });
    assert.deepEqual(parseEnv({ ...base, SLUICE_TRUST_PROXY: 'true' }).proxyTrust, { hops: 1 });
    assert.deepEqual(parseEnv({ ...base, SLUICE_TRUST_PROXY: ' 10.0.0.5, fd00::/8 ' }).proxyTrust, { proxies: ['10.0.0.5', 'fd00::/8'] });
    assert.throws(
      () => parseEnv({ ...base, SLUICE_TRUST_PROXY: 'nginx, 10.0.0.0/33' }),
      (e: Error) => e instanceof EnvError && /SLUICE_TRUST_PROXY: "nginx", "10\.0\.0\.0\/33" are not an IP address or network: give the number of reverse proxies/.test(e.message),
    );
    assert.deepEqual(parseProxyTrust('yes'), { error: '"yes" is not an IP address or network: give the number of reverse proxies in front of Sluice (e.g. 1), or their addresses or networks, comma-separated (e.g. 10.0.0.5,fd00::/8)' });
  });

  test('one client, one spelling: ports, brackets, zones, case and IPv4-as-IPv6 do not make new addresses', () => {
    for (const [written, address] of [
      ['::ffff:127.0.0.1', '127.0.0.1'],
      ['::FFFF:7f00:1', '127.0.0.1'],
      ['203.0.113.5:51234', '203.0.113.5'],
      ['[2001:DB8:0:0:0:0:0:1]:443', '2001:db8::1'],
      ['fe80::1%eth0', 'fe80::1'],
    ] as const) {
      assert.equal(normalizeAddress(written), address, written);
    }
    assert.equal(normalizeAddress('unknown'), null);
  });

  test('IPv6 addresses count by their /64, IPv4 addresses one by one', () => {
    assert.equal(addressGroup('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
    assert.equal(addressGroup('2001:db8:1:2::5'), '2001:db8:1:2::/64');
    assert.equal(addressGroup('2001:db8:1:3::5'), '2001:db8:1:3::/64');
    assert.equal(addressGroup('::1'), '::/64');
    assert.equal(addressGroup('203.0.113.5'), '203.0.113.5');
    assert.equal(addressGroup('::ffff:203.0.113.5'), '203.0.113.5');
    assert.equal(addressGroup(undefined), 'unknown');
  });

  test("X-Forwarded-For is believed only from a trusted proxy, and only as far as the proxies wrote it", () => {
    const none = { hops: 0 };
    assert.deepEqual(clientAddress('::ffff:198.51.100.1', '10.0.0.1', none), { address: '198.51.100.1', viaProxy: false, ignoredForwarded: true });
    assert.deepEqual(clientAddress('198.51.100.1', undefined, none), { address: '198.51.100.1', viaProxy: false, ignoredForwarded: false });

    const proxies = { proxies: ['127.0.0.1', '10.0.0.0/8'] };
    // Through two listed proxies: the first address left of them; what the client wrote further left is its own claim.
    assert.equal(clientAddress('127.0.0.1', '1.2.3.4, 198.51.100.7, 10.0.0.2', proxies).address, '198.51.100.7');
    // Straight from somewhere not listed: the socket, whatever the header says.
    assert.deepEqual(clientAddress('198.51.100.9', '1.2.3.4', proxies), { address: '198.51.100.9', viaProxy: false, ignoredForwarded: true });
    // From a listed proxy with nothing forwarded: the proxy is the client (a health check, say).
    assert.equal(clientAddress('10.0.0.2', undefined, proxies).address, '10.0.0.2');
    // Entries that are no address are skipped.
    assert.equal(clientAddress('127.0.0.1', '198.51.100.7, not-an-address', proxies).address, '198.51.100.7');

    assert.equal(clientAddress('10.0.0.1', '1.2.3.4, 198.51.100.7', { hops: 1 }).address, '198.51.100.7');
    assert.equal(clientAddress('10.0.0.1', '1.2.3.4, 198.51.100.7, 10.0.0.2', { hops: 2 }).address, '198.51.100.7');
    assert.equal(clientAddress('10.0.0.1', undefined, { hops: 2 }).address, '10.0.0.1', 'fewer hops than declared: the farthest one known');
  });
});

describe('single sign-on roles', () => {
  const settings = { roleClaim: 'realm_access.roles', adminGroups: ['sluice-admins'], operatorGroups: ['ops'], defaultRole: 'viewer' as const };
  test('groups map to roles, nested claims included; none → the default', () => {
    assert.equal(oidcRole({ realm_access: { roles: ['ops', 'sluice-admins'] } }, settings), 'admin');
    assert.equal(oidcRole({ realm_access: { roles: ['ops'] } }, settings), 'operator');
    assert.equal(oidcRole({ groups: ['ops'] }, settings), 'viewer');
    assert.equal(oidcRole({ groups: ['ops'] }, { ...settings, roleClaim: 'groups', defaultRole: null }), 'operator');
    assert.equal(oidcRole({}, { ...settings, defaultRole: null }), null);
  });
});

describe('log-in page helpers', () => {
  test("next= keeps Sluice's own paths, spelled as the browser will read them", () => {
    assert.equal(safeNext('/runs?status=failed'), '/runs?status=failed');
    assert.equal(safeNext('/runs/wf%201/abc?tab=logs#line-3'), '/runs/wf%201/abc?tab=logs#line-3');
    assert.equal(safeNext('/flows/a b'), '/flows/a%20b');
    assert.equal(safeNext('/runs/../flows'), '/flows');
    // A backslash or tab further on is the parser's to spell: still a path here.
    assert.equal(safeNext('/runs\\x'), '/runs/x');
    assert.equal(safeNext('/ru\tns'), '/runs');
    // Encoded slashes and tabs are not slashes or tabs to a browser: paths of Sluice (which answers 404 if it has none).
    for (const encoded of ['/%2F%2Fevil.example', '/%2F/evil.example', '/%5C/evil.example', '/%5C%5Cevil.example', '/%09/evil.example', '/%2F%09%5Cevil.example']) {
      assert.equal(safeNext(encoded), encoded);
    }
    assert.equal(safeNext(undefined), '/');
    assert.equal(safeNext(''), '/');
    assert.equal(safeNext('/login?next=/runs'), '/', 'not the log-in page itself');
  });

  test('next= never leads to another site, however it is written', () => {
    const hostile = [
      'https://evil.example', 'http://evil.example/runs', 'HTTPS:evil.example', '//evil.example', '///evil.example', '/\\evil.example',
      '\\/evil.example', '\\\\evil.example', 'javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'data:text/html,<script>alert(1)</script>',
      'evil.example', '.evil.example', '@evil.example', 'https:/evil.example', '/.//evil.example', '/a/../..//evil.example', '/./\\evil.example',
    ];
    // Tabs, newlines and carriage returns, which browsers drop, and backslashes, which they read as '/', in every position of '//'.
    for (const c of ['\t', '\n', '\r', '\\']) {
      hostile.push(`/${c}/evil.example`, `${c}//evil.example`, `/${c}${c}/evil.example`, `/${c}evil.example`, `${c}/${c}/evil.example`);
    }
    // The same, percent-encoded once more: what the page gets after Next decodes `next=` once.
    for (const encoded of ['%2F%2Fevil.example', '%2F%5Cevil.example', '%5C%5Cevil.example', '%09//evil.example', '%2F%09%2Fevil.example']) {
      hostile.push(decodeURIComponent(encoded), encoded);
    }
    for (const next of hostile) {
      const safe = safeNext(next);
      // Whatever is kept is a path, not scheme-relative, and a browser resolves it on Sluice's origin.
      assert.match(safe, /^\/(?![\/\\])/, `${JSON.stringify(next)} → ${JSON.stringify(safe)}`);
      assert.equal(new URL(safe, 'https://sluice.example.org').origin, 'https://sluice.example.org', JSON.stringify(next));
    }
  });
  test('error codes in the URL show known texts only', () => {
    assert.match(loginErrorMessage('SsoNoGroup')!, /none of the groups/);
    assert.equal(loginErrorMessage('Call 555-1234 to unlock your account'), 'Log-in failed. Try again.');
    assert.equal(loginErrorMessage(undefined), null);
  });
});
