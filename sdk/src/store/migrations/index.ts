/**
 * Every migration of the store, in the order they run. Names sort in that order (Kysely requires it);
 * add new ones at the end with the next number, and never rename or edit one that has shipped.
 */
import type { Migration } from 'kysely/migration';
import type { StoreDialect } from './columns';
import { logsMigration } from './0001-logs';
import { flowsMigration } from './0002-flows';
import { usersAndTokensMigration } from './0003-users-and-tokens';
import { flowCatalogByQueueMigration } from './0004-flow-catalog-by-queue';
import { notificationsMigration } from './0005-notifications';
import { flowRunTimeoutMigration } from './0006-flow-run-timeout';
import { retentionMigration } from './0007-retention';
import { sessionsAndSignInMigration } from './0008-sessions-and-sign-in';
import { tasksMigration } from './0009-tasks';
import { flowRepositoryMigration } from './0010-flow-repository';
import { loginFailuresPerAddressMigration } from './0011-login-failures-per-address';
import { taskProgressMigration } from './0012-task-progress';
import { workerTokensMigration } from './0013-worker-tokens';
import { logOrderingMigration } from './0014-log-ordering';
import { artifactsMigration } from './0015-artifacts';
import { replayFindingsMigration } from './0018-replay-findings';
import { logSearchMigration } from './0019-log-search';

export type { StoreDialect } from './columns';

export function migrations(dialect: StoreDialect): Record<string, Migration> {
  return {
    '0001-logs': logsMigration(dialect),
    '0002-flows': flowsMigration(),
    '0003-users-and-tokens': usersAndTokensMigration(dialect),
    '0004-flow-catalog-by-queue': flowCatalogByQueueMigration(),
    '0005-notifications': notificationsMigration(dialect),
    '0006-flow-run-timeout': flowRunTimeoutMigration(),
    '0007-retention': retentionMigration(dialect),
    '0008-sessions-and-sign-in': sessionsAndSignInMigration(),
    '0009-tasks': tasksMigration(),
    '0010-flow-repository': flowRepositoryMigration(),
    '0011-login-failures-per-address': loginFailuresPerAddressMigration(),
    '0012-task-progress': taskProgressMigration(dialect),
    '0013-worker-tokens': workerTokensMigration(dialect),
    '0014-log-ordering': logOrderingMigration(dialect),
    '0015-artifacts': artifactsMigration(dialect),
    '0018-replay-findings': replayFindingsMigration(),
    '0019-log-search': logSearchMigration(dialect),
  };
}
