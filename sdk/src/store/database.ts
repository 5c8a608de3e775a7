/**
 * The tables of Sluice's store, as Kysely sees them. Column names are snake_case; times are epoch
 * milliseconds (bigint in PostgreSQL, returned as numbers by this store's connection); JSON columns hold text.
 *
 * @example
 * const user = await store.db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
 */
import type { Generated } from 'kysely';
import type { LogLevel, Role } from './types';

export interface LogsTable {
  id: Generated<number>;
  time: number;
  level: LogLevel;
  message: string;
  /** JSON text of the record's fields, or null when it had none. */
  fields: string | null;
  workflow_id: string;
  run_id: string;
  flow: string | null;
  task: string | null;
  activity_id: string | null;
  attempt: number | null;
}

/** The flow catalog: one row per (task queue, flow); at most one row per name is live (gone_at null). */
export interface FlowsTable {
  task_queue: string;
  name: string;
  description: string | null;
  /** JSON text. */
  parameters_schema: string;
  /** JSON text of an array. */
  deployments: string;
  updated_at: number;
  /** Added by 0006-flow-run-timeout; null: the default. */
  run_timeout_ms: number | null;
  /** When its task queue stopped declaring it (or another queue took the name over); null while served. */
  gone_at: number | null;
}

export interface UsersTable {
  id: Generated<number>;
  /** Always lowercase (a check constraint refuses anything else). */
  email: string;
  name: string | null;
  password_hash: string;
  role: Role;
  created_at: number;
  /** Set when an admin disables the user; a disabled user cannot log in. */
  disabled_at: number | null;
}

/** Failed logins per email, for lock-out; one row per email. */
export interface LoginFailuresTable {
  /** Lowercase, like users.email (it need not name an existing user). */
  email: string;
  failures: number;
  locked_until: number | null;
  updated_at: number;
}

export interface ApiTokensTable {
  id: Generated<number>;
  name: string;
  /** A hash of the token; the token itself is shown once and never stored. */
  token_hash: string;
  role: Role;
  /** The user who created it; null once that user is deleted. */
  created_by: number | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface Database {
  logs: LogsTable;
  flows: FlowsTable;
  users: UsersTable;
  login_failures: LoginFailuresTable;
  api_tokens: ApiTokensTable;
}
