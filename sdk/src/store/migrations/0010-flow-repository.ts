/**
 * Which repository published a flow (package.json "sluice.repository" or its name), so a worker of another
 * repository started on the same task queue is refused instead of marking that repository's flows gone.
 * Rows published before are null until a worker of their queue that declares one of them claims them.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export function flowRepositoryMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('flows').addColumn('repository', 'text').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('flows').dropColumn('repository').execute();
    },
  };
}
