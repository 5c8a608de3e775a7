/**
 * next-auth settings: email + password against Sluice's store (with lock-out), and optional OpenID
 * Connect single sign-on from OIDC_* variables. Sessions are signed JWT cookies holding the user's id, a
 * session id and a session version, checked against the store on every request (sessions.ts), which also
 * reads the user's current role and status.
 */
import 'server-only';
import type { AuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import type { OAuthConfig } from 'next-auth/providers/oauth';
import { getEnv, type OidcSettings } from '../env';
import { isStoreUnavailable } from 'sluice/internal/store';
import { getStore } from '../sluice.server';
import { addressGroup } from './client-address';
import { checkCredentials, LoginError } from './credentials';
import type { LoginErrorCode } from './login-errors';
import { NO_PASSWORD } from './passwords';
import { oidcClaims } from './oidc-claims';
import { oidcRole } from './oidc-role';
import { endingSessions, normalizeEmail, type User } from './users';
import { newSessionClaims, revokeSession, SESSION_MAX_AGE_S, sessionUser } from './sessions';

/** Thrown by the jwt callback for a session that was ended: next-auth then clears the cookie. */
const SESSION_ENDED = 'This session was ended (log-out, password or role change, or disabled user).';

// The user the jwt callback loaded for a token, for the session callback that next-auth calls next with
// the same token object: so a request costs one store read, not two.
const checked = new WeakMap<object, User>();
// Tokens the jwt callback could not check because the store did not answer: not a logged-out session (next-auth
// would clear the cookie and log the user out for an outage), but a session the guard cannot vouch for now.
const unchecked = new WeakSet<object>();

/** What the session callback answers for a session the store could not check; `currentUser` turns it into a 503. */
export const STORE_UNAVAILABLE_SESSION = 'sluiceStoreUnavailable';

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

/**
 * Creates or updates the store's user for a single-sign-on log-in; returns its id, or a refusal message.
 * A user is bound to the provider's identity (issuer + `sub`) at their first single sign-on: later log-ins
 * find them by that identity, and an email that arrives with another identity does not open their account
 * (an address can be reassigned at the provider; its subject never is).
 */
async function syncOidcUser(profile: OidcProfile, oidc: OidcSettings): Promise<{ id: number } | { refused: LoginErrorCode }> {
  if (!profile.email) return { refused: 'SsoNoEmail' };
  if (typeof profile.sub !== 'string' || !profile.sub) return { refused: 'Callback' };
  // An address the provider itself says is unverified (self-registration in a Keycloak realm) must not
  // open the Sluice account that has it. A provider that omits the claim is trusted with its addresses
  // (README: single-tenant Entra ID only).
  if (profile.email_verified === false || profile.email_verified === 'false') return { refused: 'SsoEmailUnverified' };
  const role = oidcRole(profile, oidc);
  if (!role) return { refused: 'SsoNoGroup' };
  const email = normalizeEmail(profile.email);
  const identity = { oidc_issuer: oidc.issuer, oidc_subject: profile.sub };
  const { db } = await getStore();
  const name = profile.name ?? profile.preferred_username ?? null;
  const columns = ['id', 'email', 'role', 'disabled_at', 'oidc_subject'] as const;
  const bound = await db.selectFrom('users').select(columns).where('oidc_issuer', '=', oidc.issuer).where('oidc_subject', '=', profile.sub).executeTakeFirst();
  const existing = bound ?? (await db.selectFrom('users').select(columns).where('email', '=', email).executeTakeFirst());
  if (existing) {
    if (existing.disabled_at !== null) return { refused: 'Disabled' };
    if (!bound && existing.oidc_subject !== null) return { refused: 'SsoOtherIdentity' };
    if (bound && existing.email !== email) {
      // The provider changed this person's address: follow it, unless another Sluice user has it.
      const taken = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
      if (taken) return { refused: 'SsoEmailTaken' };
    }
    // The identity provider's groups are the truth for SSO users: their role follows them at each log-in
    // (and a changed role ends their other sessions, as an admin's change does).
    const changes = db.updateTable('users').set({ role, name, email, ...identity }).where('id', '=', existing.id);
    const update = existing.role === role ? changes : changes.set(endingSessions);
    // Bound only if still unbound: two first log-ins at once cannot bind two identities.
    const result = await (bound ? update : update.where('oidc_subject', 'is', null)).executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return { refused: 'SsoOtherIdentity' };
    return { id: Number(existing.id) };
  }
  await db
    .insertInto('users')
    .values({ email, name, password_hash: NO_PASSWORD, role, created_at: Date.now(), disabled_at: null, ...identity })
    .onConflict((oc) => oc.column('email').doNothing())
    .execute();
  const row = await db.selectFrom('users').select('id').where('email', '=', email).where('oidc_subject', '=', profile.sub).executeTakeFirst();
  // The insert lost a race with another account of that email: refused, as any other identity would be.
  return row ? { id: Number(row.id) } : { refused: 'SsoOtherIdentity' };
}

function buildOptions(): AuthOptions {
  const env = getEnv();
  return {
    secret: env.nextAuthSecret,
    useSecureCookies: env.secureCookies,
    session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_S, updateAge: 3600 },
    pages: { signIn: '/login', error: '/login' },
    providers: [
      CredentialsProvider({
        id: 'credentials',
        name: 'Email and password',
        credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
        async authorize(credentials, req) {
          // The client's address alone: decided from the socket and SLUICE_TRUST_PROXY before Next ran (client-address.ts).
          const forwardedFor = (req.headers as Record<string, string | undefined> | undefined)?.['x-forwarded-for'];
          try {
            const { db } = await getStore();
            const address = addressGroup(forwardedFor);
            const user = await checkCredentials(db, String(credentials?.email ?? ''), String(credentials?.password ?? ''), { address });
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
          // A new log-in: a new session id, under the user's current session version.
          const { db } = await getStore();
          const id = account.provider === 'oidc' ? Number((account as Record<string, unknown>).sluiceUserId) : Number(user.id);
          return { ...token, ...(await newSessionClaims(db, id)) };
        }
        let found: User | undefined;
        try {
          found = await sessionUser((await getStore()).db, token);
        } catch (err) {
          if (!isStoreUnavailable(err)) throw err;
          unchecked.add(token);
          return token;
        }
        if (!found) throw new Error(SESSION_ENDED);
        checked.set(token, found);
        return token;
      },
      async session({ session, token }) {
        if (unchecked.has(token)) return { expires: session.expires, [STORE_UNAVAILABLE_SESSION]: true } as typeof session;
        const user = checked.get(token);
        // Not checked by the jwt callback above: no session (an empty answer is "logged out" to next-auth).
        if (!user) return {} as typeof session;
        // Role and status as the store says now, never as the cookie said at log-in.
        return { expires: session.expires, user: { id: String(user.id), email: user.email, name: user.name, role: user.role } };
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
    events: {
      // Log-out ends this session only (the user's other devices stay logged in).
      async signOut({ token }) {
        if (token) await revokeSession((await getStore()).db, token);
      },
    },
    logger: {
      error: (code, metadata) => {
        // A replayed or revoked cookie is refused and cleared; that is no server error.
        if (code === 'JWT_SESSION_ERROR' && (metadata as { message?: string })?.message === SESSION_ENDED) return;
        console.error(`[next-auth] ${code}`, (metadata as { message?: string })?.message ?? '');
      },
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
