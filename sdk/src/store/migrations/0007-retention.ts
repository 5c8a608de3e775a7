/**
 * Retention: per-run data older than the retention period is deleted in small batches, oldest first.
 * An index on the logs' time makes each batch (and "the oldest line" on the admin page) an index range
 * read instead of a scan of every line; the sweeps table records what each sweep deleted, for admins.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { notNull, withIdColumn, type StoreDialect } from './columns';

export function retentionMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.createIndex('logs_time').on('logs').column('time').execute();
      await withIdColumn(dialect, db.schema.createTable('retention_sweeps'))
        .addColumn('started_at', 'bigint', notNull)
        .addColumn('finished_at', 'bigint', notNull)
        /** The cutoff: rows older than this (epoch ms) were deleted. */
        .addColumn('older_than', 'bigint', notNull)
        /** JSON text: rows deleted per table, e.g. {"logs":1200,"login_failures":3}. */
        .addColumn('deleted', 'text', notNull)
        /** Which process swept (e.g. "web 1234@host"). */
        .addColumn('swept_by', 'text', notNull)
        .execute();
      await db.schema.createIndex('retention_sweeps_finished_at').on('retention_sweeps').column('finished_at').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('retention_sweeps').execute();
      await db.schema.dropIndex('logs_time').execute();
    },
  };
}
