/** A flow's declared runTimeout, so a client starting it (web form, API) bounds the run as the worker would. */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export function flowRunTimeoutMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('flows').addColumn('run_timeout_ms', 'bigint').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('flows').dropColumn('run_timeout_ms').execute();
    },
  };
}
