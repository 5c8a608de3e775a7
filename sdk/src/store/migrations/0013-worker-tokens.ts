/**
 * Worker tokens: an API token may have the role `worker`, scoped to the task queues listed in `task_queues`
 * (JSON text, an array of names). A team's worker holds one instead of the database's credential: the web
 * app's worker API accepts it for those queues' runs and flows only, and every other route refuses it.
 *
 * The role check of 0003 must let `worker` in. PostgreSQL replaces the constraint; SQLite cannot alter a
 * CHECK constraint, so the table is rebuilt with the same rows (nothing references api_tokens). No `down`: the
 * store only migrates forward.
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { notNull, withIdColumn, type StoreDialect } from './columns';

const roleCheck = sql`role in ('viewer', 'operator', 'admin', 'worker')`;
// Queues exactly when the role is worker: a reader never meets a worker token without its scope.
const queuesCheck = sql`(role = 'worker') = (task_queues is not null)`;
const COLUMNS = 'id, name, token_hash, role, created_by, created_at, last_used_at, revoked_at, expires_at';

export function workerTokensMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<any>) {
      if (dialect === 'postgres') {
        await db.schema.alterTable('api_tokens').addColumn('task_queues', 'text').execute();
        await db.schema.alterTable('api_tokens').dropConstraint('api_tokens_role_check').execute();
        await db.schema.alterTable('api_tokens').addCheckConstraint('api_tokens_role_check', roleCheck).execute();
        await db.schema.alterTable('api_tokens').addCheckConstraint('api_tokens_queues_check', queuesCheck).execute();
        return;
      }
      await withIdColumn(dialect, db.schema.createTable('api_tokens_0013'))
        .addColumn('name', 'text', notNull)
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('role', 'text', notNull)
        .addColumn('created_by', 'bigint', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('created_at', 'bigint', notNull)
        .addColumn('last_used_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .addColumn('expires_at', 'bigint')
        .addColumn('task_queues', 'text')
        .addCheckConstraint('api_tokens_role_check', roleCheck)
        .addCheckConstraint('api_tokens_queues_check', queuesCheck)
        .execute();
      await sql`insert into api_tokens_0013 (${sql.raw(COLUMNS)}) select ${sql.raw(COLUMNS)} from api_tokens`.execute(db);
      await db.schema.dropTable('api_tokens').execute();
      await db.schema.alterTable('api_tokens_0013').renameTo('api_tokens').execute();
    },
  };
}
