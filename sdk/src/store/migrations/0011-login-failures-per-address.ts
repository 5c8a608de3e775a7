/**
 * Failed log-ins counted per (email, client address) instead of per email, so that guesses from one
 * address can no longer lock the account's owner out everywhere (web/lib/auth/lockout.ts). The old
 * per-email counts are dropped rather than carried over: they are 15-minute counters, and a count without
 * an address cannot be given one.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { notNull } from './columns';

export function loginFailuresPerAddressMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.dropTable('login_failures').execute();
      await db.schema
        .createTable('login_failures')
        .addColumn('email', 'text', notNull)
        // The client's address group (an IPv4 address, or an IPv6 /64), as login_failures_by_address.address.
        .addColumn('address', 'text', notNull)
        .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', 'bigint')
        .addColumn('updated_at', 'bigint', notNull)
        .addPrimaryKeyConstraint('login_failures_pk', ['email', 'address'])
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('login_failures').execute();
      await db.schema
        .createTable('login_failures')
        .addColumn('email', 'text', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', 'bigint')
        .addColumn('updated_at', 'bigint', notNull)
        .execute();
    },
  };
}
