/**
 * Task progress: what a running task last reported with `progress()`, one row per task of a run (latest wins;
 * a later attempt replaces an earlier one). The worker writes it with its log batches, so the run page reads
 * it as fresh as the log lines, instead of waiting for Temporal's throttled heartbeats.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { notNull, withIdColumn, type StoreDialect } from './columns';

export function taskProgressMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<any>) {
      // An id of its own, as every swept table has: retention deletes by key in batches.
      await withIdColumn(dialect, db.schema.createTable('task_progress'))
        .addColumn('run_id', 'text', notNull)
        .addColumn('activity_id', 'text', notNull)
        .addColumn('workflow_id', 'text', notNull)
        .addColumn('task', 'text')
        .addColumn('attempt', 'integer', notNull)
        .addColumn('done', 'double precision', notNull)
        .addColumn('total', 'double precision', notNull)
        .addColumn('message', 'text')
        /** When the task reported it (epoch ms). */
        .addColumn('time', 'bigint', notNull)
        .execute();
      // The upsert's conflict target, and every read ("these tasks of one run").
      await db.schema.createIndex('task_progress_run_activity').unique().on('task_progress').columns(['run_id', 'activity_id']).execute();
      await db.schema.createIndex('task_progress_time').on('task_progress').column('time').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('task_progress').execute();
    },
  };
}
