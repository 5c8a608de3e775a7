/**
 * Users in Sluice's store: create, find, change role or password, disable. Shared by the web app (log-in,
 * admin pages) and the `npm run user` command, so it takes the Kysely instance and imports nothing of Next.
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Database } from 'sluice/internal/store';
import { hashPassword, NO_PASSWORD } from './passwords';
import { isRole, ROLES, type Role } from './roles';
import { SluiceError } from 'sluice/internal/errors';

export type AuthDb = Kysely<Database>;

export interface User {
  id: number;
  email: string;
  name: string | null;
  role: Role;
  /** Epoch milliseconds. */
  createdAt: number;
  disabledAt: number | null;
  /** False for users who log in through single sign-on only. */
  hasPassword: boolean;
}

/** Thrown for a user mistake in user management (unknown email, duplicate, bad role); the message says what to do. */
export class UserError extends SluiceError {
  static override readonly code = 'invalid_user';
  static override readonly kind = 'bad_request';

  override name = 'UserError';
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** Lowercased and trimmed; throws UserError when it is not an email address. */
export function normalizeEmail(email: string): string {
  const normalized = email.trim().toLowerCase();
  if (!EMAIL.test(normalized)) throw new UserError(`'${email}' is not an email address: write it like alice@example.org.`);
  return normalized;
}

export function checkRole(role: string): Role {
  if (!isRole(role)) throw new UserError(`'${role}' is not a role: use one of ${ROLES.join(', ')}.`);
  return role;
}


/** A users row as a User (for queries that select more than this module's, like the session check). */
export function userFromRow(row: { id: number; email: string; name: string | null; role: string; created_at: number; disabled_at: number | null; password_hash: string }): User {
  return {
    id: Number(row.id),
    email: row.email,
    name: row.name,
    role: checkRole(row.role),
    createdAt: Number(row.created_at),
    disabledAt: row.disabled_at === null ? null : Number(row.disabled_at),
    hasPassword: row.password_hash !== NO_PASSWORD,
  };
}

export async function findUserByEmail(db: AuthDb, email: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
  return row && userFromRow(row);
}

/** The stored password hash of an email, for log-in only. */
export async function passwordHashOf(db: AuthDb, email: string): Promise<{ user: User; hash: string } | undefined> {
  const row = await db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
  return row && { user: userFromRow(row), hash: row.password_hash };
}

export async function listUsers(db: AuthDb): Promise<User[]> {
  const rows = await db.selectFrom('users').selectAll().orderBy('email').execute();
  return rows.map(userFromRow);
}

export async function countUsers(db: AuthDb): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Adds a user. Without a password the user can log in through single sign-on only.
 *
 * @example await createUser(store.db, { email: 'alice@example.org', role: 'operator', password: 'a long secret' });
 */
export async function createUser(
  db: AuthDb,
  input: { email: string; role: Role; name?: string | null; password?: string | null },
): Promise<User> {
  const email = normalizeEmail(input.email);
  const role = checkRole(input.role);
  if (await findUserByEmail(db, email)) {
    throw new UserError(`A user ${email} already exists: change their role or password instead.`);
  }
  const password_hash = input.password ? await hashPassword(input.password) : NO_PASSWORD;
  try {
    await db
      .insertInto('users')
      .values({ email, name: input.name?.trim() || null, password_hash, role, created_at: Date.now(), disabled_at: null })
      .execute();
  } catch (err) {
    // Two creations of the same email at once: the unique index decides.
    if (await findUserByEmail(db, email)) throw new UserError(`A user ${email} already exists: change their role or password instead.`);
    throw err;
  }
  return (await findUserByEmail(db, email))!;
}

async function existing(db: AuthDb, email: string): Promise<User> {
  const user = await findUserByEmail(db, normalizeEmail(email));
  if (!user) throw new UserError(`There is no user ${email.trim().toLowerCase()}: add them first (npm run user -- add ${email.trim()} --role viewer).`);
  return user;
}

/**
 * The `session_version` one higher, for an update's `set`: every session cookie issued before (they carry
 * the version they were issued under) is refused from the next request on. See sessions.ts.
 *
 * @example await db.updateTable('users').set(endingSessions).where('id', '=', id).execute();
 */
export const endingSessions = (eb: ExpressionBuilder<Database, 'users'>) => ({ session_version: eb('session_version', '+', 1) });

/** Ends every session of a user ("log out everywhere"): on every device, at their next request. */
export async function endUserSessions(db: AuthDb, id: number): Promise<void> {
  await db.updateTable('users').set(endingSessions).where('id', '=', id).execute();
}

/** Changes a user's role; a real change ends their sessions (whatever a page showed under the old role is stale). */
export async function setUserRole(db: AuthDb, email: string, role: Role): Promise<User> {
  const user = await existing(db, email);
  if (user.role === checkRole(role)) return user;
  await db.updateTable('users').set(endingSessions).set({ role }).where('id', '=', user.id).execute();
  return { ...user, role };
}

/** Sets a user's password and ends their sessions (a leaked password's sessions must not outlive it). */
export async function setUserPassword(db: AuthDb, email: string, password: string): Promise<User> {
  const user = await existing(db, email);
  await db.updateTable('users').set(endingSessions).set({ password_hash: await hashPassword(password) }).where('id', '=', user.id).execute();
  // A new password is a fresh start: forget earlier failed log-ins.
  await db.deleteFrom('login_failures').where('email', '=', user.email).execute();
  return { ...user, hasPassword: true };
}

export async function setUserName(db: AuthDb, email: string, name: string | null): Promise<User> {
  const user = await existing(db, email);
  await db.updateTable('users').set({ name: name?.trim() || null }).where('id', '=', user.id).execute();
  return { ...user, name: name?.trim() || null };
}

/** Disables (or re-enables) a user: a disabled user cannot log in, and their open sessions stop working at once. */
export async function setUserDisabled(db: AuthDb, email: string, disabled: boolean): Promise<User> {
  const user = await existing(db, email);
  const disabledAt = disabled ? (user.disabledAt ?? Date.now()) : null;
  // Disabling ends their sessions for good: enabling again does not bring the old cookies back.
  const update = db.updateTable('users').set({ disabled_at: disabledAt });
  await (disabled ? update.set(endingSessions) : update).where('id', '=', user.id).execute();
  return { ...user, disabledAt };
}

/** Number of admins who can still log in, so the last one is never demoted or disabled by mistake. */
export async function countActiveAdmins(db: AuthDb): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('role', '=', 'admin')
    .where('disabled_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
