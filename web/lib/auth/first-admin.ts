/**
 * A fresh install has no users, so nobody could log in to add one: while the users table is empty, the
 * web app creates the first admin at start-up — SLUICE_ADMIN_EMAIL / SLUICE_ADMIN_PASSWORD when set, else
 * admin@localhost with a random password printed once to the console.
 */
import { randomBytes } from 'node:crypto';
import { countUsers, createUser, UserError, type AuthDb } from './users';

export type FirstAdmin =
  | { created: false }
  | { created: true; email: string; /** Set only when generated here (print it once). */ generatedPassword: string | null };

export async function ensureFirstAdmin(db: AuthDb, wanted: { email: string; password: string | null }): Promise<FirstAdmin> {
  if ((await countUsers(db)) > 0) return { created: false };
  const generatedPassword = wanted.password ? null : randomBytes(15).toString('base64url');
  try {
    await createUser(db, { email: wanted.email, role: 'admin', name: 'Admin', password: wanted.password ?? generatedPassword });
  } catch (err) {
    // Another instance starting at the same moment won the race: fine, there is an admin.
    if (err instanceof UserError && (await countUsers(db)) > 0) return { created: false };
    throw err;
  }
  return { created: true, email: wanted.email, generatedPassword };
}

/** The console message for a newly created first admin. */
export function firstAdminMessage(result: Extract<FirstAdmin, { created: true }>): string {
  const lines = ['', '[sluice] No users yet: created the first admin.', `  email:    ${result.email}`];
  if (result.generatedPassword) {
    lines.push(`  password: ${result.generatedPassword}`, '  This password is shown ONCE. Log in, then set your own:');
    lines.push(`    npm run user -- password ${result.email}`);
  } else {
    lines.push('  password: the one in SLUICE_ADMIN_PASSWORD (unset it now; it is not read again).');
  }
  lines.push('  Add more users on the Users page or with: npm run user -- add EMAIL --role viewer|operator|admin', '');
  return lines.join('\n');
}
