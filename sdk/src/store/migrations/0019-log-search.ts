/**
 * Log search that stays fast in a big store (PostgreSQL): a trigram index (pg_trgm, GIN) on the text a search
 * looks in, a line's message and its fields' JSON. Without it, a search in a run reads every line of the run: a
 * second or more for a run of 100,000 lines, whatever it finds. With it, `Store.readLogs` first narrows to the lines
 * that may hold the needle (the index, or this cheap test while reading a run in order), then keeps those that
 * really contain it (the same comparison as before, Unicode case folding included, so the answer is the same).
 *
 * The indexed text is lowered in ASCII only (collation "C": fast, and the same on every server), after mapping the
 * only two characters whose Unicode lowercase is ASCII (İ → i, the Kelvin sign → k): whatever ASCII a search finds in
 * the Unicode-lowered text, it finds here too. So the needle's ASCII parts, in order, narrow any search.
 *
 * pg_trgm ships with PostgreSQL (contrib) and may be created by a database owner (a trusted extension since
 * PostgreSQL 13). Where it is missing, or this user may not create it, there is no index and search reads the
 * run's lines as before: slower in big runs, never wrong. SQLite has no such index; its search reads the run.
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { StoreDialect } from './columns';

export const LOG_SEARCH_INDEX = 'logs_search';

/** İ and the Kelvin sign: the characters whose Unicode lowercase is ASCII (i, k). */
const LOWER_TO_ASCII = '\u0130\u212a';

/** The text the index holds: message and fields in one string (a needle in either is in the whole), lowered in ASCII. */
export const searchedText = () => sql`lower(translate("message" || ' ' || coalesce("fields", ''), ${sql.lit(LOWER_TO_ASCII)}, 'ik') collate "C")`;

export function logSearchMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<any>) {
      if (dialect !== 'postgres') return;
      // Checked first: a failed CREATE EXTENSION would abort the transaction all migrations run in.
      const { rows: [can] } = await sql<{ installed: boolean; creatable: boolean }>`
        select exists (select 1 from pg_extension where extname = 'pg_trgm') as installed,
          exists (select 1 from pg_available_extension_versions where name = 'pg_trgm' and (trusted or (select rolsuper from pg_roles where rolname = current_user)))
            and has_database_privilege(current_database(), 'CREATE') as creatable`.execute(db);
      if (!can!.installed && !can!.creatable) return;
      if (!can!.installed) await sql`create extension if not exists pg_trgm`.execute(db);
      await sql`create index ${sql.id(LOG_SEARCH_INDEX)} on logs using gin ((${searchedText()}) gin_trgm_ops)`.execute(db);
    },
    async down(db: Kysely<any>) {
      if (dialect !== 'postgres') return;
      await sql`drop index if exists ${sql.id(LOG_SEARCH_INDEX)}`.execute(db);
    },
  };
}
