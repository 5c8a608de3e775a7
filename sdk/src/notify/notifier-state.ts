/**
 * The notifier's own state in the store: a lease, so only one process sends however many run the
 * notifier, and small named values (the visibility cursor, each flow's last outcome, each schedule's due time).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store';

const LEASE = 'lease';

/**
 * Takes or renews the lease for `holder` until now + ttlMs. True when `holder` has it: it was free, expired
 * or already its own. Atomic on both databases (one INSERT … ON CONFLICT DO UPDATE … WHERE).
 */
export async function takeLease(db: Kysely<Database>, holder: string, ttlMs: number, now = Date.now()): Promise<boolean> {
  await db
    .insertInto('notifier_state')
    .values({ name: LEASE, value: holder, expires_at: now + ttlMs, updated_at: now })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ value: holder, expires_at: now + ttlMs, updated_at: now })
        .where((eb) => eb.or([eb('notifier_state.value', '=', holder), eb('notifier_state.expires_at', '<', now)])),
    )
    .execute();
  const row = await db.selectFrom('notifier_state').select('value').where('name', '=', LEASE).executeTakeFirst();
  return row?.value === holder;
}

/** Gives the lease up, so another process takes over at once instead of after the lease's time. */
export async function releaseLease(db: Kysely<Database>, holder: string): Promise<void> {
  await db.deleteFrom('notifier_state').where('name', '=', LEASE).where('value', '=', holder).execute();
}

export async function readState(db: Kysely<Database>, name: string): Promise<string | undefined> {
  const row = await db.selectFrom('notifier_state').select('value').where('name', '=', name).executeTakeFirst();
  return row?.value;
}

export async function writeState(db: Kysely<Database>, name: string, value: string, now = Date.now()): Promise<void> {
  await db
    .insertInto('notifier_state')
    .values({ name, value, expires_at: null, updated_at: now })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value, updated_at: now }))
    .execute();
}
