/**
 * A real OpenID Provider for tests: panva's `oidc-provider` (a certified implementation) on 127.0.0.1, on
 * a free port, with one confidential client and the accounts the test gives. Its own development log-in
 * form (any password; the login names the account) and consent form stand in for Keycloak's or Entra's.
 *
 * Claims are released as a typical IdP does with the `openid email profile` scopes: `email` and `name`
 * through their scopes, and the group claims (`groups`, Keycloak's nested `realm_access.roles`) with
 * `openid` itself, the way a Keycloak mapper on a default client scope or Entra's group claim adds them.
 * With oidc-provider's defaults (`conformIdTokenClaims`) the ID token then carries only `sub` and
 * friends: email, name and groups come from the userinfo endpoint (as with Okta's "thin" ID tokens).
 *
 * @example
 * const idp = await startOidcProvider({ ada: { email: 'ada@example.org', groups: ['sluice-admins'] } });
 * const app = await startWebApp({ env: idp.env });
 * await idp.allowRedirect(`${app.baseUrl}/api/auth/callback/oidc`);
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Account } from 'oidc-provider';

export interface OidcAccount {
  email?: string;
  /** Default true. */
  email_verified?: boolean;
  name?: string;
  groups?: string[];
  /** Keycloak's shape: `{ roles: [...] }`, read with OIDC_ROLE_CLAIM=realm_access.roles. */
  realm_access?: { roles: string[] };
}

export interface OidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET for the web app. */
  env: Record<string, string>;
  /** Accounts by login name; change one to change what the next log-in sends. */
  accounts: Record<string, OidcAccount>;
  /**
   * Adds a redirect URI to the client, as an IdP admin registers one. The web app's port is only known
   * once it runs, and the app needs the issuer to start: so the client is completed afterwards.
   */
  allowRedirect(uri: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startOidcProvider(accounts: Record<string, OidcAccount>): Promise<OidcProvider> {
  // ESM-only package; imported when used so that loading this file costs nothing.
  const { default: Provider } = await import('oidc-provider');
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  // Named `localhost` while the web app is 127.0.0.1: two sites, as in production, so the browser keeps
  // their cookies apart and the return to the app is a cross-site redirect (SameSite rules apply).
  const issuer = `http://localhost:${(server.address() as AddressInfo).port}`;
  const clientId = 'sluice';
  const clientSecret = randomBytes(24).toString('base64url');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cookieKey = randomBytes(32).toString('base64url');

  const redirectUris: string[] = [];
  // The client is static configuration, as usual; a new redirect URI means a new Provider object over the
  // same keys (its memory store is per process, so sessions carry over).
  const configure = () =>
    new Provider(issuer, {
      clients: [
        {
          client_id: clientId,
          client_secret: clientSecret,
          redirect_uris: [...redirectUris],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), use: 'sig', kid: 'test' }] },
      cookies: { keys: [cookieKey] },
      claims: {
        openid: ['sub', 'groups', 'realm_access'],
        email: ['email', 'email_verified'],
        profile: ['name', 'preferred_username'],
      },
      features: { devInteractions: { enabled: true } },
      // next-auth uses the authorization code flow with PKCE (S256) and a client secret: require exactly that.
      pkce: { required: () => true, methods: ['S256'] },
      async findAccount(_ctx, id): Promise<Account | undefined> {
        const account = accounts[id];
        if (!account) return undefined;
        return { accountId: id, claims: () => ({ sub: id, preferred_username: id, email_verified: true, ...account }) };
      },
      // Short lifetimes: a test's sessions only need to last a log-in.
      ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 600, Grant: 600 },
    }).callback();
  let handle = configure();
  server.on('request', (req, res) => handle(req, res));

  return {
    issuer,
    clientId,
    clientSecret,
    env: { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret },
    accounts,
    async allowRedirect(uri) {
      redirectUris.push(uri);
      handle = configure();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
