/** The flow catalog the worker publishes, so the web app knows flows without loading their code. */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { notNull } from './columns';

export function flowsMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('flows')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('task_queue', 'text', notNull)
        .addColumn('description', 'text')
        .addColumn('parameters_schema', 'text', notNull)
        .addColumn('deployments', 'text', notNull)
        .addColumn('updated_at', 'bigint', notNull)
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('flows').execute();
    },
  };
}
