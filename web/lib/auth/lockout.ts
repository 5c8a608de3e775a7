/**
 * Slows and then stops password guessing without letting anyone lock an account's owner out: attempts are
 * counted per (email, client address) and per client address, never per email alone, so failures from
 * other addresses never stand between the owner and their right password. Client addresses are grouped
 * (client-address.ts: an IPv6 /64 is one address), and the trade-off is web/README.md's "Log-in limits".
 *
 * Every attempt is counted BEFORE its password is checked, by one atomic statement (INSERT … ON CONFLICT DO
 * UPDATE … RETURNING, on SQLite and PostgreSQL alike): each attempt gets its own number, so however many
 * arrive at once, at most the limit of them reach the password check within WINDOW_MS; the rest are
 * refused for LOCK_MS. A successful log-in forgets its (email, address) failures and gives its address its
 * attempt back. Counted in the store, so it holds across restarts and several web app instances.
 */
import { sql } from 'kysely';
import type { AuthDb } from './users';

/** Attempts per email from one client address within WINDOW_MS that reach the password check. */
export const MAX_FAILURES = 5;
/** Failed attempts per client address (all emails together) within WINDOW_MS: password spraying. */
export const ADDRESS_MAX_FAILURES = 30;
export const WINDOW_MS = 15 * 60_000;
export const LOCK_MS = 15 * 60_000;

/** What is counted: an email from a client address (login_failures), or an address (login_failures_by_address). */
export type Counted = { email: string; address: string } | { address: string };

export interface Attempt {
  /** This attempt's number within the window, itself included. */
  failures: number;
  /** Set once the limit is reached: until when (epoch ms) attempts are refused. */
  lockedUntil: number | null;
}

function counter(of: Counted) {
  return 'email' in of
    ? { table: 'login_failures', key: { email: of.email, address: of.address }, max: MAX_FAILURES }
    : { table: 'login_failures_by_address', key: { address: of.address }, max: ADDRESS_MAX_FAILURES };
}

/** Counts one attempt, atomically; returns its number in the window and the lock, if any. */
export async function countAttempt(db: AuthDb, of: Counted, now = Date.now()): Promise<Attempt> {
  const { table, key, max } = counter(of);
  const t = sql.table(table);
  const columns = sql.join(Object.keys(key).map((c) => sql.ref(c)));
  // Failures older than the window, or from before a lock that has expired, no longer count.
  const stale = sql`(${t}.updated_at < ${now - WINDOW_MS} or (${t}.locked_until is not null and ${t}.locked_until <= ${now}))`;
  const lock = sql`cast(${now + LOCK_MS} as bigint)`;
  const { rows } = await sql<{ failures: number; locked_until: number | null }>`
    insert into ${t} (${columns}, failures, locked_until, updated_at)
    values (${sql.join(Object.values(key))}, 1, ${max <= 1 ? lock : null}, ${now})
    on conflict (${columns}) do update set
      failures = case when ${stale} then 1 else ${t}.failures + 1 end,
      locked_until = case
        when ${stale} then ${max <= 1 ? lock : null}
        when ${t}.locked_until is not null then ${t}.locked_until
        when ${t}.failures + 1 >= ${max} then ${lock}
        else null end,
      updated_at = ${now}
    returning failures, locked_until`.execute(db);
  const row = rows[0]!;
  return { failures: Number(row.failures), lockedUntil: row.locked_until === null ? null : Number(row.locked_until) };
}

/** True when this attempt is past its limit: refuse it without checking the password. */
export function overLimit(of: Counted, attempt: Attempt): boolean {
  return attempt.failures > counter(of).max;
}

/**
 * After a successful log-in: its email starts afresh from this address (only: failures from elsewhere
 * are someone else's), and the address gets back the attempt counted for it.
 */
export async function countSuccess(db: AuthDb, email: string, address: string): Promise<void> {
  await db.deleteFrom('login_failures').where('email', '=', email).where('address', '=', address).execute();
  await db
    .updateTable('login_failures_by_address')
    .set((eb) => ({ failures: eb('failures', '-', 1) }))
    .where('address', '=', address)
    .where('failures', '>', 0)
    .execute();
}

/** How long to hold the answer to the n-th failure: 250 ms more per failure, at most 2 s. */
export function failureDelayMs(failures: number): number {
  return Math.min(250 * failures, 2_000);
}

/** "Too many failed log-ins…" in words, with the minutes left. */
export function lockedMessage(until: number, now = Date.now(), of: 'email' | 'address' = 'email'): string {
  const minutes = Math.max(1, Math.ceil((until - now) / 60_000));
  const wait = `Try again in ${minutes} minute${minutes === 1 ? '' : 's'}`;
  return of === 'email'
    ? `Too many failed log-ins for this email from your network address. ${wait}, or ask an admin to reset your password.`
    : `Too many failed log-ins from your network address. ${wait}.`;
}
