/**
 * Artifacts: the results flows and tasks publish (a table, markdown, a link, an image, a chart), one row each,
 * written with the log line that says so. Read per run (the run page, in publishing order) and per flow and key
 * (the flow page: the latest of each key).
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { notNull, withIdColumn, type StoreDialect } from './columns';
import { DECLARED_SETTING } from './0014-log-ordering';

export function artifactsMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await withIdColumn(dialect, db.schema.createTable('artifacts'))
        /** When it was published (epoch ms); retention goes by it, with the run's lines. */
        .addColumn('time', 'bigint', notNull)
        .addColumn('workflow_id', 'text', notNull)
        .addColumn('run_id', 'text', notNull)
        .addColumn('flow', 'text')
        .addColumn('task', 'text')
        .addColumn('activity_id', 'text')
        .addColumn('attempt', 'integer')
        .addColumn('key', 'text', notNull)
        .addColumn('kind', 'text', notNull)
        .addColumn('title', 'text', notNull)
        /** JSON text of the whole artifact, as the artifact schema (sdk/src/artifacts.ts) checked it. */
        .addColumn('payload', 'text', notNull)
        .execute();
      if (dialect === 'postgres') {
        // Ids from the lines' sequence, taken inside the batch that declared its runs (0014-log-ordering): the
        // settled id that keeps a run's tail from skipping a line that commits late keeps its artifacts' tail too.
        await sql`
          alter table artifacts alter column id set default
            case when current_setting(${sql.lit(DECLARED_SETTING)}, true) = 'declared' then nextval('logs_id_seq') else sluice_undeclared_log_id() end
        `.execute(db);
      }
      await db.schema.createIndex('artifacts_run').on('artifacts').columns(['run_id', 'id']).execute();
      await db.schema.createIndex('artifacts_flow_key').on('artifacts').columns(['flow', 'key', 'id']).execute();
      await db.schema.createIndex('artifacts_time').on('artifacts').column('time').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('artifacts').execute();
    },
  };
}
