/** The log lines of every run: the one thing Temporal does not keep for Sluice. */
import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { notNull, withIdColumn, type StoreDialect } from './columns';

export function logsMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await withIdColumn(dialect, db.schema.createTable('logs'))
        .addColumn('time', 'bigint', notNull)
        .addColumn('level', 'text', notNull)
        .addColumn('message', 'text', notNull)
        .addColumn('fields', 'text')
        .addColumn('workflow_id', 'text', notNull)
        .addColumn('run_id', 'text', notNull)
        .addColumn('flow', 'text')
        .addColumn('task', 'text')
        .addColumn('activity_id', 'text')
        .addColumn('attempt', 'integer')
        .addCheckConstraint('logs_level_check', sql`level in ('debug', 'info', 'warn', 'error')`)
        .execute();
      // Every read is "one run, by id": the run page, its tail and its pages.
      await db.schema.createIndex('logs_run_id_id').on('logs').columns(['run_id', 'id']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('logs').execute();
    },
  };
}
