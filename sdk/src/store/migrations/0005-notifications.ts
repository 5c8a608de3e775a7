/**
 * Failure notifications: the rules (declared in code or added by an admin), the channels an admin adds
 * (target and secret encrypted), the outbox (one event per rule, channel, run and event; one delivery per
 * message) and the notifier's own state (its lease, its visibility cursor, each flow's last outcome).
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { notNull, withIdColumn, type StoreDialect } from './columns';

export function notificationsMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await withIdColumn(dialect, db.schema.createTable('notification_rules'))
        // Stable across worker restarts: a hash of what a code rule says, or `admin-<id>` for an admin's.
        .addColumn('key', 'text', (c) => c.notNull().unique())
        .addColumn('source', 'text', notNull)
        .addColumn('flow', 'text')
        .addColumn('deployment', 'text')
        .addColumn('events', 'text', notNull)
        .addColumn('channels', 'text', notNull)
        .addColumn('longer_than_ms', 'bigint')
        .addColumn('late_after_ms', 'bigint')
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'bigint', notNull)
        .addCheckConstraint('notification_rules_source_check', sql`source in ('code', 'admin')`)
        .execute();

      await withIdColumn(dialect, db.schema.createTable('notification_channels'))
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('kind', 'text', notNull)
        .addColumn('target_encrypted', 'text', notNull)
        .addColumn('secret_encrypted', 'text')
        .addColumn('created_at', 'bigint', notNull)
        .execute();

      await withIdColumn(dialect, db.schema.createTable('notification_deliveries'))
        .addColumn('rule_key', 'text', notNull)
        .addColumn('channel', 'text', notNull)
        .addColumn('status', 'text', notNull)
        .addColumn('subject', 'text', notNull)
        .addColumn('event_count', 'integer', notNull)
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'bigint', notNull)
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', notNull)
        .addColumn('sent_at', 'bigint')
        .addColumn('updated_at', 'bigint', notNull)
        .addCheckConstraint('notification_deliveries_status_check', sql`status in ('pending', 'retrying', 'sent', 'failed')`)
        .execute();
      await db.schema.createIndex('notification_deliveries_status').on('notification_deliveries').columns(['status', 'next_attempt_at']).execute();

      await withIdColumn(dialect, db.schema.createTable('notification_events'))
        .addColumn('rule_key', 'text', notNull)
        .addColumn('channel', 'text', notNull)
        .addColumn('workflow_id', 'text', notNull)
        .addColumn('run_id', 'text', notNull)
        .addColumn('event', 'text', notNull)
        .addColumn('flow', 'text', notNull)
        .addColumn('deployment', 'text')
        .addColumn('detail', 'text', notNull)
        .addColumn('recorded_at', 'bigint', notNull)
        .addColumn('delivery_id', 'bigint', (c) => c.references('notification_deliveries.id').onDelete('set null'))
        // The de-duplication: one message per rule, channel, run and event, however often the run is seen.
        .addUniqueConstraint('notification_events_once', ['rule_key', 'channel', 'run_id', 'event'])
        .execute();
      await db.schema.createIndex('notification_events_delivery').on('notification_events').columns(['delivery_id']).execute();

      await db.schema
        .createTable('notifier_state')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', notNull)
        .addColumn('expires_at', 'bigint')
        .addColumn('updated_at', 'bigint', notNull)
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const table of ['notifier_state', 'notification_events', 'notification_deliveries', 'notification_channels', 'notification_rules']) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}
