// `sluice/internal/store`: for the Sluice web app and Sluice's own tools and tests; no semver, it may change in any
// release. A workflow repository uses `sluice`, `sluice/flow`, `sluice/client` and `sluice/testing`.
/**
 * Sluice's store: every log line of every run, the flow catalog, users and API tokens — in a SQLite file
 * by default, in PostgreSQL when DATABASE_URL names one.
 *
 * @example
 * import { openStore, LogShipper } from 'sluice/internal/store';
 * const store = await openStore();
 * const shipper = new LogShipper(store);
 */
export { migrateStore, openStore, type MigrateResult, type OpenStoreOptions } from './open-store';
export { Store, type StoreDialect, type StoreOptions } from './store';
export { LOG_PAGE_BUDGET_MS, LOG_PAGE_WINDOW, type LogPage, type LogPageOptions } from './log-page';
export { droppedLinesNotice, LogShipper, type LogShipperOptions, type LogShipperStats, type LogSink, type RunDrops } from './log-shipper';
export { storeUrlFromEnv, parseStoreUrl, redactUrl, type StoreLocation } from './store-url';
export { FlowNameTakenError, isStoreUnavailable, StoreOpenError, StoreQueryError, StoreSchemaError, StoreUnavailableError, StoreUrlError, TaskQueueTakenError, type FlowNameClash, type TaskQueueClash } from './errors';
export { LOG_LEVELS, ROLES, TOKEN_ROLES, levelsFrom } from './types';
export type { StoredArtifact } from '../artifacts';
export type { FlowEntry, TaskEntry, PublishOptions, LogLevel, LogQuery, LogRecord, ProgressRecord, ReplayFinding, Role, StoredLog, TokenRole } from './types';
export type {
  ApiTokensTable, ArtifactsTable, Database, DeliveryStatus, FlowsTable, LoginFailuresTable, LogsTable, NotificationChannelsTable, NotificationDeliveriesTable,
  NotificationEventsTable, NotificationRulesTable, NotifierStateTable, ReplayFindingsTable, RetentionSweepsTable, TaskProgressTable, UsersTable,
} from './database';
export { StoreRetention, SWEPT_TABLES, type SweepOptions, type SweepResult, type SweptTable } from './retention';
export { RetentionSweeper, type RetentionSweeperOptions } from './retention-sweeper';
export { parseRetention, type RetentionSetting } from './retention-setting';
export { COUNTED_TABLES, type CountedTable, type StoreStats } from './store-stats';
export { appliedMigrations, MIGRATION_TABLE } from './migrate';
