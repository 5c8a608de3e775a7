/**
 * Replay findings: the open runs a starting worker's new code could not replay (sdk/src/replay/), one row per
 * run, with the reason. The worker holds no database credential, so it reports them through the worker API;
 * each start of a task queue's worker replaces that queue's rows (what the newest code says is what counts).
 * Read per run (the run page) and newest first (the home page's "needs attention").
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { notNull } from './columns';

export function replayFindingsMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('replay_findings')
        .addColumn('task_queue', 'text', notNull)
        .addColumn('workflow_id', 'text', notNull)
        .addColumn('run_id', 'text', notNull)
        .addColumn('flow', 'text', notNull)
        /** Temporal's words for why the replay failed (a non-determinism error, as a rule). */
        .addColumn('reason', 'text', notNull)
        /** When the worker replayed it (epoch ms). */
        .addColumn('found_at', 'bigint', notNull)
        /** The identity of the worker that found it. */
        .addColumn('worker', 'text', notNull)
        .addPrimaryKeyConstraint('replay_findings_pk', ['task_queue', 'run_id'])
        .execute();
      await db.schema.createIndex('replay_findings_run').on('replay_findings').column('run_id').execute();
      await db.schema.createIndex('replay_findings_found_at').on('replay_findings').column('found_at').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('replay_findings').execute();
    },
  };
}
