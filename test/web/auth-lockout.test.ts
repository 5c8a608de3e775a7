// The lock-out under concurrency, on SQLite and on the suite's real PostgreSQL: every attempt is counted by
// one atomic statement before its password is checked, so parallel guesses get no more tries than serial ones.
// Against the real web app, with a thousand guesses from other addresses: auth-lockout-attack.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openStore } from 'sluice/internal/store';
import { checkCredentials, LoginError } from '../../web/lib/auth/credentials';
import { ADDRESS_MAX_FAILURES, MAX_FAILURES } from '../../web/lib/auth/lockout';
import { verifyPassword } from '../../web/lib/auth/passwords';
import { createUser } from '../../web/lib/auth/users';
import { DIALECTS, freshStoreUrl } from '../store/helpers/stores';

/** verifyPassword, counting how many attempts reached it. */
function countingVerify() {
  const counted = { calls: 0, verify: (password: string, hash: string) => ((counted.calls += 1), verifyPassword(password, hash)) };
  return counted;
}

/** Runs all the log-ins at once; returns the refusals' messages. */
async function allAtOnce(attempts: Array<() => Promise<unknown>>): Promise<string[]> {
  const outcomes = await Promise.allSettled(attempts.map((attempt) => attempt()));
  return outcomes.map((o) => {
    assert.equal(o.status, 'rejected', 'every guess is refused');
    const reason = (o as PromiseRejectedResult).reason as Error;
    assert.ok(reason instanceof LoginError, `a readable refusal, not ${reason}`);
    return reason.message;
  });
}

for (const dialect of DIALECTS) {
  describe(`lock-out on ${dialect}`, () => {
    test(`20 concurrent wrong passwords for one email from one address: at most ${MAX_FAILURES} reach the password check`, async (t) => {
      const fresh = await freshStoreUrl(dialect, 'lockout');
      t.after(() => fresh.cleanup());
      const store = await openStore(fresh.url, { migrate: true });
      t.after(() => store.close());
      await createUser(store.db, { email: 'target@example.org', role: 'admin', password: 'the right password' });

      const counted = countingVerify();
      const messages = await allAtOnce(
        Array.from({ length: 20 }, (_, i) => () => checkCredentials(store.db, 'target@example.org', `guess ${i}`, { address: '203.0.113.50', verify: counted.verify })),
      );
      assert.equal(counted.calls, MAX_FAILURES, 'exactly the limit of guesses was checked');
      assert.equal(messages.filter((m) => /Too many failed log-ins for this email/.test(m)).length, 20 - MAX_FAILURES + 1, 'the rest (and the last checked) are told of the lock');
      // Locked now from that address, even for the right password, and without checking it.
      await assert.rejects(checkCredentials(store.db, 'target@example.org', 'the right password', { address: '203.0.113.50', verify: counted.verify }), /Too many/);
      assert.equal(counted.calls, MAX_FAILURES);
      // Not from the owner's address.
      assert.equal((await checkCredentials(store.db, 'target@example.org', 'the right password', { address: '198.51.100.20' })).email, 'target@example.org');
    });

    test(`one address spraying many emails at once: at most ${ADDRESS_MAX_FAILURES} reach the password check; other addresses are unaffected`, async (t) => {
      const fresh = await freshStoreUrl(dialect, 'lockout_address');
      t.after(() => fresh.cleanup());
      const store = await openStore(fresh.url, { migrate: true });
      t.after(() => store.close());
      await createUser(store.db, { email: 'someone@example.org', role: 'viewer', password: 'the right password' });

      // A success gives its address its attempt back: colleagues behind one gateway do not use it up.
      for (let i = 0; i < 3; i++) await checkCredentials(store.db, 'someone@example.org', 'the right password', { address: '198.51.100.7' });
      const row = await store.db.selectFrom('login_failures_by_address').selectAll().where('address', '=', '198.51.100.7').executeTakeFirst();
      assert.equal(row?.failures, 0);

      const counted = countingVerify();
      const spray = ADDRESS_MAX_FAILURES + 10;
      const messages = await allAtOnce(
        Array.from({ length: spray }, (_, i) => () => checkCredentials(store.db, `user${i}@example.org`, 'Summer2026!', { address: '203.0.113.9', verify: counted.verify })),
      );
      assert.equal(counted.calls, ADDRESS_MAX_FAILURES);
      assert.equal(messages.filter((m) => /from your network address/.test(m)).length, spray - ADDRESS_MAX_FAILURES);
      await assert.rejects(
        checkCredentials(store.db, 'someone@example.org', 'the right password', { address: '203.0.113.9' }),
        /Too many failed log-ins from your network address\. Try again in 15 minutes/,
      );
      assert.equal((await checkCredentials(store.db, 'someone@example.org', 'the right password', { address: '198.51.100.7' })).email, 'someone@example.org');
    });
  });
}
