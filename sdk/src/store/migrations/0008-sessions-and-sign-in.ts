/**
 * Log-in that holds: revocable sessions (a per-user session version, and the single sessions logged out
 * before their cookie expired), single sign-on users bound to their provider's subject, a per-address
 * count of failed log-ins, and API tokens that may expire.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { notNull } from './columns';

export function sessionsAndSignInMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      // Every session cookie carries the version it was issued under; raising it ends them all at once.
      await db.schema.alterTable('users').addColumn('session_version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('users').addColumn('oidc_issuer', 'text').execute();
      await db.schema.alterTable('users').addColumn('oidc_subject', 'text').execute();
      await db.schema.createIndex('users_oidc_identity').unique().on('users').columns(['oidc_issuer', 'oidc_subject']).execute();

      await db.schema
        .createTable('revoked_sessions')
        .addColumn('session_id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'bigint', notNull)
        // When the last copy of that cookie has expired anyway: the row can go then.
        .addColumn('expires_at', 'bigint', notNull)
        .execute();
      await db.schema.createIndex('revoked_sessions_expires').on('revoked_sessions').columns(['expires_at']).execute();

      await db.schema
        .createTable('login_failures_by_address')
        .addColumn('address', 'text', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', 'bigint')
        .addColumn('updated_at', 'bigint', notNull)
        .execute();

      await db.schema.alterTable('api_tokens').addColumn('expires_at', 'bigint').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('api_tokens').dropColumn('expires_at').execute();
      await db.schema.dropTable('login_failures_by_address').execute();
      await db.schema.dropTable('revoked_sessions').execute();
      await db.schema.dropIndex('users_oidc_identity').execute();
      for (const column of ['oidc_subject', 'oidc_issuer', 'session_version']) await db.schema.alterTable('users').dropColumn(column).execute();
    },
  };
}
