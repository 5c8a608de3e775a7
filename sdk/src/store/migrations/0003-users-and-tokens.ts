/**
 * Who may use the web app and the API: users, their failed logins (for lock-out) and API tokens.
 * The web app owns the logic; the store only creates the tables.
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { notNull, withIdColumn, type StoreDialect } from './columns';

const roleCheck = sql`role in ('viewer', 'operator', 'admin')`;

export function usersAndTokensMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await withIdColumn(dialect, db.schema.createTable('users'))
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text')
        .addColumn('password_hash', 'text', notNull)
        .addColumn('role', 'text', notNull)
        .addColumn('created_at', 'bigint', notNull)
        .addColumn('disabled_at', 'bigint')
        // Lowercase only, so "unique" means unique whatever case a user types.
        .addCheckConstraint('users_email_lowercase', sql`email = lower(email)`)
        .addCheckConstraint('users_role_check', roleCheck)
        .execute();

      await db.schema
        .createTable('login_failures')
        .addColumn('email', 'text', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', 'bigint')
        .addColumn('updated_at', 'bigint', notNull)
        .execute();

      await withIdColumn(dialect, db.schema.createTable('api_tokens'))
        .addColumn('name', 'text', notNull)
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('role', 'text', notNull)
        .addColumn('created_by', 'bigint', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('created_at', 'bigint', notNull)
        .addColumn('last_used_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .addCheckConstraint('api_tokens_role_check', roleCheck)
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('api_tokens').execute();
      await db.schema.dropTable('login_failures').execute();
      await db.schema.dropTable('users').execute();
    },
  };
}
