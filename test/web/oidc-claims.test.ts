// Where a single-sign-on user's claims come from: the ID token, completed by userinfo (unit tests of one
// function; the browser test in oidc.test.ts runs the real thing against a real provider).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { oidcClaims, type UserinfoContext } from '../../web/lib/auth/oidc-claims';

function context(idToken: Record<string, unknown>, userinfo: (() => Promise<Record<string, unknown>>) | null): UserinfoContext & { calls: number } {
  const ctx = {
    calls: 0,
    tokens: { access_token: 'at', claims: () => idToken },
    client: {
      issuer: { metadata: { userinfo_endpoint: userinfo ? 'https://idp.example/userinfo' : undefined } },
      userinfo: async () => {
        ctx.calls++;
        return userinfo!();
      },
    },
  };
  return ctx;
}

describe('oidcClaims', () => {
  test('a thin ID token (Okta, oidc-provider) is completed from userinfo', async () => {
    const claims = await oidcClaims(context({ sub: 'u1', iss: 'x' }, async () => ({ sub: 'u1', email: 'a@b.c', groups: ['g'] })));
    assert.deepEqual(claims, { sub: 'u1', iss: 'x', email: 'a@b.c', groups: ['g'] });
  });

  test("groups only in the ID token (Entra ID's group claim) are kept; the signed ID token wins a conflict", async () => {
    const claims = await oidcClaims(context({ sub: 'u1', groups: ['admins'], email: 'id@b.c' }, async () => ({ sub: 'u1', email: 'info@b.c', name: 'A' })));
    assert.deepEqual(claims, { sub: 'u1', groups: ['admins'], email: 'id@b.c', name: 'A' });
  });

  test('userinfo about another subject is ignored', async () => {
    const claims = await oidcClaims(context({ sub: 'u1' }, async () => ({ sub: 'someone-else', email: 'x@b.c', groups: ['admins'] })));
    assert.deepEqual(claims, { sub: 'u1' });
  });

  test('a failing userinfo endpoint leaves the ID token claims', async () => {
    const claims = await oidcClaims(context({ sub: 'u1', email: 'a@b.c' }, async () => Promise.reject(new Error('503'))));
    assert.deepEqual(claims, { sub: 'u1', email: 'a@b.c' });
  });

  test('a provider without a userinfo endpoint is not asked', async () => {
    const ctx = context({ sub: 'u1', email: 'a@b.c' }, null);
    assert.deepEqual(await oidcClaims(ctx), { sub: 'u1', email: 'a@b.c' });
    assert.equal(ctx.calls, 0);
  });
});
