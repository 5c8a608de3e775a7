/**
 * The task catalog: tasks served by a worker in another language (Python), published at its start with their
 * declared options, so a flow calling them applies their retry policy and the web app knows them. One row per
 * (task queue, task); a task its queue stops declaring stays, gone (`gone_at`). TypeScript tasks need no row:
 * their options are baked into the flows' bundle.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { notNull } from './columns';

export function tasksMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('tasks')
        .addColumn('task_queue', 'text', notNull)
        .addColumn('name', 'text', notNull)
        .addColumn('language', 'text', notNull)
        .addColumn('options', 'text', notNull)
        .addColumn('worker', 'text', notNull)
        .addColumn('updated_at', 'bigint', notNull)
        .addColumn('gone_at', 'bigint')
        .addPrimaryKeyConstraint('tasks_pk', ['task_queue', 'name'])
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('tasks').execute();
    },
  };
}
