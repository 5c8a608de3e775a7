/**
 * Log search that stays fast in a big store (PostgreSQL): a trigram index (pg_trgm, GIN) on the text a search
 * looks in, a line's message and its fields' JSON, lower-cased as the search compares them. Without it, a search
 * in a run reads every line of the run: a second or more for a run of 100,000 lines, whatever it finds. With it,
 * `Store.readLogs` first narrows to the lines holding every three-letter piece of the needle (the index), then
 * keeps those that really contain it (the same comparison as before, so the answer is the same).
 *
 * pg_trgm ships with PostgreSQL (contrib) and may be created by a database owner (a trusted extension since
 * PostgreSQL 13). Where it is missing, or this user may not create it, there is no index and search reads the
 * run's lines as before: slower in big runs, never wrong. SQLite has no such index; its search reads the run.
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { StoreDialect } from './columns';

export const LOG_SEARCH_INDEX = 'logs_search';
/** ICU's root collation: what the store's search lowers with when the server has it (postgres-connection.ts). */
export const UNICODE_COLLATION = 'und-x-icu';

/**
 * The text a search looks in, lower-cased as the search compares: message and fields in one string, so one index
 * serves both (a needle in either is in the whole; the exact comparison then checks each).
 */
export function searchedText(collation: string | undefined) {
  const text = sql`("message" || ' ' || coalesce("fields", ''))`;
  return collation ? sql`lower(${text} collate ${sql.id(collation)})` : sql`lower(${text})`;
}

export function logSearchMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<any>) {
      if (dialect !== 'postgres') return;
      // Checked first: a failed CREATE EXTENSION would abort the transaction all migrations run in.
      const { rows: [can] } = await sql<{ installed: boolean; creatable: boolean; icu: boolean }>`
        select exists (select 1 from pg_extension where extname = 'pg_trgm') as installed,
          exists (select 1 from pg_available_extension_versions where name = 'pg_trgm' and (trusted or (select rolsuper from pg_roles where rolname = current_user)))
            and has_database_privilege(current_database(), 'CREATE') as creatable,
          exists (select 1 from pg_collation where collname = ${UNICODE_COLLATION}) as icu`.execute(db);
      if (!can!.installed && !can!.creatable) return;
      if (!can!.installed) await sql`create extension if not exists pg_trgm`.execute(db);
      await sql`create index ${sql.id(LOG_SEARCH_INDEX)} on logs using gin ((${searchedText(can!.icu ? UNICODE_COLLATION : undefined)}) gin_trgm_ops)`.execute(db);
    },
    async down(db: Kysely<any>) {
      if (dialect !== 'postgres') return;
      await sql`drop index if exists ${sql.id(LOG_SEARCH_INDEX)}`.execute(db);
    },
  };
}
