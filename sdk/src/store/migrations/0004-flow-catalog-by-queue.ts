/**
 * The flow catalog keyed by (task queue, flow): several workers share one store, each publishing its own
 * flows, and a flow a queue stops declaring stays listed as gone (`gone_at`) so its past runs stay readable.
 * At most one entry per flow name is live (not gone). Existing rows are kept, all live.
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { notNull } from './columns';

export function flowCatalogByQueueMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      // Neither database changes a primary key in place the same way: build the new table and move the rows.
      await db.schema
        .createTable('flows_by_queue')
        .addColumn('task_queue', 'text', notNull)
        .addColumn('name', 'text', notNull)
        .addColumn('description', 'text')
        .addColumn('parameters_schema', 'text', notNull)
        .addColumn('deployments', 'text', notNull)
        .addColumn('updated_at', 'bigint', notNull)
        .addColumn('gone_at', 'bigint')
        .addPrimaryKeyConstraint('flows_by_queue_pk', ['task_queue', 'name'])
        .execute();
      const columns = ['task_queue', 'name', 'description', 'parameters_schema', 'deployments', 'updated_at'] as const;
      await db
        .insertInto('flows_by_queue')
        .columns([...columns])
        .expression(db.selectFrom('flows').select([...columns]))
        .execute();
      await db.schema.dropTable('flows').execute();
      await db.schema.alterTable('flows_by_queue').renameTo('flows').execute();
      // A flow name starts runs on one task queue only: the live one.
      await db.schema.createIndex('flows_live_name').on('flows').column('name').unique().where(sql.ref('gone_at'), 'is', null).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('flows_live_name').execute();
      await db.deleteFrom('flows').where('gone_at', 'is not', null).execute();
      await db.schema.alterTable('flows').dropColumn('gone_at').execute();
    },
  };
}
