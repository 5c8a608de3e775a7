/**
 * Log ordering without a lock writers wait on (PostgreSQL; SQLite has one writer at a time and needs none).
 *
 * A transaction that writes log lines first *declares* itself, with transaction-scoped advisory locks that
 * never conflict with each other (shared) and that every session can see in pg_locks:
 * - one per run it writes (key `hashtextextended(run_id, 0)`), or one "any run" key for a batch of many runs
 *   or a writer that did not say which;
 * - its floor: the logs sequence's last value before it takes any id (a two-int key: high and low 32 bits).
 *   Every line it writes has an id above its floor.
 * Readers (`sluice_settled_log_id(run)`, then their query) return a run's lines only up to the lowest floor of
 * the transactions still declared for that run, and never above the sequence's value read before the locks: a
 * line that commits later can never have an id below a cursor already handed out.
 * A stuck writer holds back its own runs' tails (until Sluice's session timeouts end it), no other run, and
 * no writer waits for it.
 *
 * `insertLogsIn` declares its runs itself. Any other insert (SQL by hand, a Sluice older than this migration)
 * is declared by the id column's default, as a writer of any run: slower tails while it runs, never a skip.
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { StoreDialect } from './columns';

/** The advisory key of "a writer of any run" (distinct from the 0.2 writers' exclusive 0x736c75696365). */
export const ANY_RUN_LOG_KEY = 0x736c75696366;
/** More runs than this in one batch declare "any run": few locks per batch keep the shared lock table small. */
export const MAX_DECLARED_RUNS = 16;
/** The transaction-local setting that says this transaction has declared itself (the id default reads it). */
export const DECLARED_SETTING = 'sluice.log_writer';

export function logOrderingMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<any>) {
      if (dialect !== 'postgres') return;
      await sql`
        create function sluice_declare_log_writer(runs text[]) returns void language plpgsql volatile as $$
        declare
          floor bigint;
        begin
          select case when is_called then last_value else last_value - 1 end into floor from logs_id_seq;
          if runs is null or cardinality(runs) > ${sql.lit(MAX_DECLARED_RUNS)} then
            perform pg_advisory_xact_lock_shared(${sql.lit(ANY_RUN_LOG_KEY)});
          else
            perform pg_advisory_xact_lock_shared(hashtextextended(r, 0)) from unnest(runs) as r;
          end if;
          perform pg_advisory_xact_lock_shared((floor >> 32)::int4, (floor & 4294967295)::bit(32)::int4);
          perform set_config(${sql.lit(DECLARED_SETTING)}, 'declared', true);
        end
        $$`.execute(db);
      await sql`
        create function sluice_undeclared_log_id() returns bigint language plpgsql volatile as $$
        begin
          perform sluice_declare_log_writer(null);
          return nextval('logs_id_seq');
        end
        $$`.execute(db);
      await sql`
        create function sluice_settled_log_id(run text) returns bigint language plpgsql volatile as $$
        declare
          settled bigint;
          floor bigint;
        begin
          -- The sequence first, then the locks: a writer that declares itself after this read takes ids above it.
          select case when is_called then last_value else last_value - 1 end into settled from logs_id_seq;
          with held as (
            select virtualtransaction as vx, objsubid, (classid::int8 << 32) | objid::int8 as key
            from pg_locks
            where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())
          )
          select min(f.key) into floor from held f
          where f.objsubid = 2
            and f.vx in (select w.vx from held w where w.objsubid = 1 and w.key in (hashtextextended(run, 0), ${sql.lit(ANY_RUN_LOG_KEY)}));
          return least(settled, floor);
        end
        $$`.execute(db);
      // Declared writers pay one setting lookup per line; an undeclared one declares itself before its first id.
      await sql`
        alter table logs alter column id set default
          case when current_setting(${sql.lit(DECLARED_SETTING)}, true) = 'declared' then nextval('logs_id_seq') else sluice_undeclared_log_id() end
      `.execute(db);
    },
    async down(db: Kysely<any>) {
      if (dialect !== 'postgres') return;
      await sql`alter table logs alter column id set default nextval('logs_id_seq')`.execute(db);
      await sql`drop function sluice_settled_log_id(text)`.execute(db);
      await sql`drop function sluice_undeclared_log_id()`.execute(db);
      await sql`drop function sluice_declare_log_writer(text[])`.execute(db);
    },
  };
}
