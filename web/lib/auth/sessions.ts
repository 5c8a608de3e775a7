/**
 * Revocable sessions. A session cookie is next-auth's signed and encrypted JWT; besides the user's id it
 * carries a random session id (`sid`) and the user's `session_version` at log-in (`sv`). Every request
 * checks the cookie against the store in ONE query — the users row by primary key, with a primary-key
 * probe of revoked_sessions — so nothing is cached and every web app instance sees a revocation at once:
 * - log-out records the one session id in revoked_sessions (until its cookie would have expired anyway);
 * - a password change, a role change, disabling and "log out everywhere" raise the user's session version,
 *   which ends every session issued before (users.ts: `endingSessions`).
 * Takes the Kysely instance and imports nothing of Next, like users.ts.
 */
import { randomBytes } from 'node:crypto';
import { userFromRow, type AuthDb, type User } from './users';

/** How long a session lasts without a request (next-auth renews the cookie as it is used). */
export const SESSION_MAX_AGE_S = 12 * 3600;

/** What Sluice puts in the session JWT beside next-auth's own claims. */
export interface SessionClaims {
  /** The user's id in the store. */
  sub: string;
  sid: string;
  sv: number;
}

/** The claims of a new session of `userId`, at log-in. */
export async function newSessionClaims(db: AuthDb, userId: number): Promise<SessionClaims> {
  const row = await db.selectFrom('users').select('session_version').where('id', '=', userId).executeTakeFirstOrThrow();
  return { sub: String(userId), sid: randomBytes(18).toString('base64url'), sv: Number(row.session_version) };
}

/**
 * The user a session cookie's claims stand for, or undefined when the session was ended (logged out,
 * version raised), the user is disabled or gone, or the claims are not Sluice's (a cookie from before
 * sessions were revocable: its user logs in again once).
 */
export async function sessionUser(db: AuthDb, claims: Partial<Record<keyof SessionClaims, unknown>>): Promise<User | undefined> {
  const id = Number(claims.sub);
  if (!Number.isSafeInteger(id) || typeof claims.sid !== 'string' || typeof claims.sv !== 'number') return undefined;
  const sid = claims.sid;
  const row = await db
    .selectFrom('users')
    .selectAll()
    .select((eb) => eb.exists(eb.selectFrom('revoked_sessions').select('session_id').where('session_id', '=', sid)).as('revoked'))
    .where('id', '=', id)
    .executeTakeFirst();
  // SQLite answers exists() with 0/1, PostgreSQL with a boolean.
  if (!row || Boolean(row.revoked) || Number(row.session_version) !== claims.sv || row.disabled_at !== null) return undefined;
  return userFromRow(row);
}

/**
 * Ends one session (log-out): a copy of its cookie is refused from now on. The row is kept until that
 * cookie would have expired anyway (it cannot be renewed once refused), and expired rows go here too,
 * so the table stays as small as the sessions logged out in the last SESSION_MAX_AGE_S.
 */
export async function revokeSession(db: AuthDb, claims: Partial<Record<keyof SessionClaims, unknown>>, now = Date.now()): Promise<void> {
  const userId = Number(claims.sub);
  if (typeof claims.sid !== 'string' || !Number.isSafeInteger(userId)) return;
  await db
    .insertInto('revoked_sessions')
    .values({ session_id: claims.sid, user_id: userId, expires_at: now + SESSION_MAX_AGE_S * 1000 })
    .onConflict((oc) => oc.column('session_id').doNothing())
    .execute();
  await db.deleteFrom('revoked_sessions').where('expires_at', '<', now).execute();
}
