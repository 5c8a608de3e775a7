/**
 * Slows and then locks out password guessing, per email: each failure delays the answer a little more,
 * and after MAX_FAILURES failures within WINDOW_MS the email is refused for LOCK_MS, even with the right
 * password. Counted in the store, so it holds across restarts and several web app instances.
 */
import type { AuthDb } from './users';

export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60_000;
export const LOCK_MS = 15 * 60_000;

/** Until when (epoch ms) the email is locked out, or null. */
export async function lockedUntil(db: AuthDb, email: string, now = Date.now()): Promise<number | null> {
  const row = await db.selectFrom('login_failures').select('locked_until').where('email', '=', email).executeTakeFirst();
  const until = row?.locked_until == null ? null : Number(row.locked_until);
  return until !== null && until > now ? until : null;
}

/** Counts one failed log-in; returns the failures in the current window and the lock, if this one set it. */
export async function recordFailure(
  db: AuthDb,
  email: string,
  now = Date.now(),
): Promise<{ failures: number; lockedUntil: number | null }> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('login_failures').selectAll().where('email', '=', email).executeTakeFirst();
    // Failures older than the window (or from before an expired lock) no longer count.
    const stale = !row || Number(row.updated_at) < now - WINDOW_MS || (row.locked_until != null && Number(row.locked_until) <= now);
    const failures = stale ? 1 : Number(row.failures) + 1;
    const locked = failures >= MAX_FAILURES ? now + LOCK_MS : null;
    await trx
      .insertInto('login_failures')
      .values({ email, failures, locked_until: locked, updated_at: now })
      .onConflict((oc) => oc.column('email').doUpdateSet({ failures, locked_until: locked, updated_at: now }))
      .execute();
    return { failures, lockedUntil: locked };
  });
}

export async function clearFailures(db: AuthDb, email: string): Promise<void> {
  await db.deleteFrom('login_failures').where('email', '=', email).execute();
}

/** How long to hold the answer to the n-th failure: 250 ms more per failure, at most 2 s. */
export function failureDelayMs(failures: number): number {
  return Math.min(250 * failures, 2_000);
}

/** "Too many failed log-ins…" in words, with the minutes left. */
export function lockedMessage(until: number, now = Date.now()): string {
  const minutes = Math.max(1, Math.ceil((until - now) / 60_000));
  return `Too many failed log-ins for this email. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or ask an admin to reset your password.`;
}
