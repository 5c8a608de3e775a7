/**
 * The few column types that differ between SQLite and PostgreSQL; everything else in a migration is shared.
 */
import type { ColumnDefinitionBuilder, CreateTableBuilder } from 'kysely';

export type StoreDialect = 'sqlite' | 'postgres';

/**
 * An auto-incrementing bigint primary key named `id`. AUTOINCREMENT on SQLite so ids are never reused:
 * readers page and tail logs by id.
 */
export function withIdColumn<T extends string>(dialect: StoreDialect, table: CreateTableBuilder<T, never>) {
  return dialect === 'postgres'
    ? table.addColumn('id', 'bigserial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

/** NOT NULL, for the callbacks of addColumn. */
export const notNull = (c: ColumnDefinitionBuilder) => c.notNull();
