/**
 * The tables of Sluice's store, as Kysely sees them. Column names are snake_case; times are epoch
 * milliseconds (bigint in PostgreSQL, returned as numbers by this store's connection); JSON columns hold text.
 *
 * @example
 * const user = await store.db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
 */
import type { Generated } from 'kysely';
import type { LogLevel, Role, TokenRole } from './types';

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

/** Added by 0010: what each task of a run last reported with `progress()` (one row per run and activity id). */
export interface TaskProgressTable {
  id: Generated<number>;
  run_id: string;
  activity_id: string;
  workflow_id: string;
  task: string | null;
  attempt: number;
  done: number;
  total: number;
  message: string | null;
  time: number;
}

/** Added by 0015: what flows and tasks published with `publish` (sdk/src/artifacts.ts), one row each. */
export interface ArtifactsTable {
  id: Generated<number>;
  time: number;
  workflow_id: string;
  run_id: string;
  flow: string | null;
  task: string | null;
  activity_id: string | null;
  attempt: number | null;
  key: string;
  kind: string;
  title: string;
  /** JSON text of the whole artifact. */
  payload: string;
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
  /** Added by 0010-flow-repository: the repository whose worker published it; null before. */
  repository: string | null;
}

/** The task catalog of workers in other languages (Python): one row per (task queue, task). */
export interface TasksTable {
  task_queue: string;
  name: string;
  /** 'python'. */
  language: string;
  /** JSON text of the declared options, as TaskOptions (durations in milliseconds). */
  options: string;
  /** The identity of the worker that published it last. */
  worker: string;
  updated_at: number;
  /** When its queue's worker stopped declaring it; null while served. */
  gone_at: number | null;
}

/** Added by 0018: an open run a starting worker's code could not replay (sdk/src/replay/); one row per (task queue, run). */
export interface ReplayFindingsTable {
  task_queue: string;
  workflow_id: string;
  run_id: string;
  flow: string;
  reason: string;
  found_at: number;
  worker: string;
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
  /** Added by 0008: sessions issued under an older version are refused (log out everywhere, password or role change). */
  session_version: Generated<number>;
  /** Added by 0008: the single sign-on identity (issuer and `sub`) this user is bound to; null until their first SSO log-in. */
  oidc_issuer: string | null;
  oidc_subject: string | null;
}

/** Added by 0008: single sessions logged out before their cookie expired; a row goes once `expires_at` has passed. */
export interface RevokedSessionsTable {
  session_id: string;
  user_id: number;
  expires_at: number;
}

/** Added by 0008: failed log-ins per client address group (all emails together: an IPv4 address or an IPv6 /64), for the per-address limit. */
export interface LoginFailuresByAddressTable {
  address: string;
  failures: number;
  locked_until: number | null;
  updated_at: number;
}

/** Failed log-ins per email and client address, for lock-out (0010); one row per pair. */
export interface LoginFailuresTable {
  /** Lowercase, like users.email (it need not name an existing user). */
  email: string;
  /** The client's address group, as LoginFailuresByAddressTable.address. */
  address: string;
  failures: number;
  locked_until: number | null;
  updated_at: number;
}

export interface ApiTokensTable {
  id: Generated<number>;
  name: string;
  /** A hash of the token; the token itself is shown once and never stored. */
  token_hash: string;
  role: TokenRole;
  /** The user who created it; null once that user is deleted. */
  created_by: number | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  /** Added by 0008: after this time (epoch ms) the token is refused; null: it does not expire. */
  expires_at: number | null;
  /** Added by 0013: a worker token's task queues (JSON text, an array of names); null for every other role. */
  task_queues: string | null;
}

/** A notification rule: declared in code next to a flow or deployment (source 'code'), or added by an admin. */
export interface NotificationRulesTable {
  id: Generated<number>;
  key: string;
  source: 'code' | 'admin';
  /** Null: every flow. */
  flow: string | null;
  /** Null: every deployment of the flow, and runs started by hand. */
  deployment: string | null;
  /** JSON text of the events (failed, timed_out, …). */
  events: string;
  /** JSON text of the channel names. */
  channels: string;
  longer_than_ms: number | null;
  late_after_ms: number | null;
  created_by: string | null;
  created_at: number;
}

/** A channel an admin added; target (URL or addresses) and secret are encrypted with the server's key. */
export interface NotificationChannelsTable {
  id: Generated<number>;
  name: string;
  kind: string;
  target_encrypted: string;
  secret_encrypted: string | null;
  created_at: number;
}

export type DeliveryStatus = 'pending' | 'retrying' | 'sent' | 'failed';

/** One message to one channel: the events of a rule grouped together. */
export interface NotificationDeliveriesTable {
  id: Generated<number>;
  rule_key: string;
  channel: string;
  status: DeliveryStatus;
  subject: string;
  event_count: number;
  attempts: Generated<number>;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
  updated_at: number;
}

/** One event of one run for one rule and channel (unique): what the outbox de-duplicates on. */
export interface NotificationEventsTable {
  id: Generated<number>;
  rule_key: string;
  channel: string;
  workflow_id: string;
  run_id: string;
  event: string;
  flow: string;
  deployment: string | null;
  /** JSON text: what the message says of the run (error, starter, last log lines). */
  detail: string;
  recorded_at: number;
  delivery_id: number | null;
}

/** The notifier's lease, cursor and remembered outcomes, by name. */
export interface NotifierStateTable {
  name: string;
  value: string;
  expires_at: number | null;
  updated_at: number;
}

/** One retention sweep (0007-retention): when, its cutoff, and the rows it deleted per table. */
export interface RetentionSweepsTable {
  id: Generated<number>;
  started_at: number;
  finished_at: number;
  older_than: number;
  /** JSON text: rows deleted per table. */
  deleted: string;
  swept_by: string;
}

export interface Database {
  logs: LogsTable;
  task_progress: TaskProgressTable;
  artifacts: ArtifactsTable;
  flows: FlowsTable;
  tasks: TasksTable;
  replay_findings: ReplayFindingsTable;
  users: UsersTable;
  login_failures: LoginFailuresTable;
  login_failures_by_address: LoginFailuresByAddressTable;
  revoked_sessions: RevokedSessionsTable;
  api_tokens: ApiTokensTable;
  notification_rules: NotificationRulesTable;
  notification_channels: NotificationChannelsTable;
  notification_deliveries: NotificationDeliveriesTable;
  notification_events: NotificationEventsTable;
  notifier_state: NotifierStateTable;
  retention_sweeps: RetentionSweepsTable;
}
