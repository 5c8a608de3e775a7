/**
 * next-auth settings: email + password against Sluice's store (with lock-out), and optional OpenID
 * Connect single sign-on from OIDC_* variables. Sessions are signed JWT cookies holding the user's id;
 * the guard reads the role from the store on every request.
 */
import 'server-only';
import type { AuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import type { OAuthConfig } from 'next-auth/providers/oauth';
import { getEnv, type OidcSettings } from '../env';
import { getStore } from '../sluice.server';
import { checkCredentials, LoginError } from './credentials';
import type { LoginErrorCode } from './login-errors';
import { NO_PASSWORD } from './passwords';
import { oidcClaims } from './oidc-claims';
import { oidcRole } from './oidc-role';
import { normalizeEmail } from './users';

const SESSION_HOURS = 12;

interface OidcProfile extends Record<string, unknown> {
  sub: string;
  email?: string;
  name?: string;
  preferred_username?: string;
  email_verified?: boolean | string;
}

function oidcProvider(oidc: OidcSettings): OAuthConfig<OidcProfile> {
  return {
    id: 'oidc',
    name: oidc.displayName,
    type: 'oauth',
    wellKnown: `${oidc.issuer}/.well-known/openid-configuration`,
    clientId: oidc.clientId,
    clientSecret: oidc.clientSecret,
    authorization: { params: { scope: oidc.scopes } },
    idToken: true,
    checks: ['pkce', 'state'],
    // Email, name and groups may be in the ID token or only at userinfo, depending on the provider.
    userinfo: { request: (context) => oidcClaims(context) as Promise<OidcProfile> },
    profile: (profile) => ({ id: profile.sub, email: profile.email ?? null, name: profile.name ?? profile.preferred_username ?? null }),
  };
}

/** Creates or updates the store's user for a single-sign-on log-in; returns its id, or a refusal message. */
async function syncOidcUser(profile: OidcProfile, oidc: OidcSettings): Promise<{ id: number } | { refused: LoginErrorCode }> {
  if (!profile.email) return { refused: 'SsoNoEmail' };
  // Users are matched by email: an address the provider itself says is unverified (self-registration in
  // a Keycloak realm) must not open the Sluice account that has it. A provider that omits the claim is
  // trusted with its addresses (README: single-tenant Entra ID only).
  if (profile.email_verified === false || profile.email_verified === 'false') return { refused: 'SsoEmailUnverified' };
  const role = oidcRole(profile, oidc);
  if (!role) return { refused: 'SsoNoGroup' };
  const email = normalizeEmail(profile.email);
  const { db } = await getStore();
  const name = profile.name ?? profile.preferred_username ?? null;
  const existing = await db.selectFrom('users').select(['id', 'disabled_at']).where('email', '=', email).executeTakeFirst();
  if (existing) {
    if (existing.disabled_at !== null) return { refused: 'Disabled' };
    // The identity provider's groups are the truth for SSO users: their role follows them at each log-in.
    await db.updateTable('users').set({ role, name }).where('id', '=', existing.id).execute();
    return { id: Number(existing.id) };
  }
  await db
    .insertInto('users')
    .values({ email, name, password_hash: NO_PASSWORD, role, created_at: Date.now(), disabled_at: null })
    .onConflict((oc) => oc.column('email').doNothing())
    .execute();
  const row = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
  return { id: Number(row.id) };
}

function buildOptions(): AuthOptions {
  const env = getEnv();
  return {
    secret: env.nextAuthSecret,
    useSecureCookies: env.secureCookies,
    session: { strategy: 'jwt', maxAge: SESSION_HOURS * 3600, updateAge: 3600 },
    pages: { signIn: '/login', error: '/login' },
    providers: [
      CredentialsProvider({
        id: 'credentials',
        name: 'Email and password',
        credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
        async authorize(credentials) {
          const { db } = await getStore();
          try {
            const user = await checkCredentials(db, String(credentials?.email ?? ''), String(credentials?.password ?? ''));
            return { id: String(user.id), email: user.email, name: user.name };
          } catch (err) {
            // next-auth passes an Error's message to the log-in page as ?error=…; LoginError messages are for users.
            if (err instanceof LoginError) throw new Error(err.message);
            console.error('[sluice] log-in failed:', err);
            throw new Error('Log-in is unavailable right now (the store did not answer). Try again shortly.');
          }
        },
      }),
      ...(env.oidc ? [oidcProvider(env.oidc)] : []),
    ],
    callbacks: {
      async signIn({ account, profile }) {
        if (account?.provider !== 'oidc' || !env.oidc) return true;
        const synced = await syncOidcUser(profile as OidcProfile, env.oidc);
        if ('refused' in synced) return `/login?error=${synced.refused}`; // a code: the page shows only texts it knows
        // Remembered for the jwt callback below, which runs next for this same log-in.
        (account as Record<string, unknown>).sluiceUserId = synced.id;
        return true;
      },
      async jwt({ token, user, account }) {
        if (account && user) {
          token.sub = account.provider === 'oidc' ? String((account as Record<string, unknown>).sluiceUserId) : String(user.id);
        }
        return token;
      },
      async session({ session, token }) {
        // Only the id: the guard loads role and status from the store, so nothing stale is trusted.
        return { ...session, user: { ...session.user, id: token.sub } };
      },
      async redirect({ url, baseUrl }) {
        // Only ever back into Sluice: an absolute URL elsewhere (an open redirect) becomes the home page.
        if (url.startsWith('/') && !url.startsWith('//')) return `${baseUrl}${url}`;
        try {
          if (new URL(url).origin === new URL(baseUrl).origin) return url;
        } catch {}
        return baseUrl;
      },
    },
    logger: {
      error: (code, metadata) => console.error(`[next-auth] ${code}`, (metadata as { message?: string })?.message ?? ''),
      warn: (code) => {
        // NEXTAUTH_URL is optional for password log-in (the log-in form never follows server redirects).
        if (code !== 'NEXTAUTH_URL') console.warn(`[next-auth] ${code}`);
      },
      debug: () => {},
    },
  };
}

const key = Symbol.for('sluice.web.authOptions');

/** next-auth's options, built once per process from `getEnv()`. */
export function getAuthOptions(): AuthOptions {
  const g = globalThis as Record<symbol, AuthOptions | undefined>;
  return (g[key] ??= buildOptions());
}
