import type { Connection } from '@temporalio/client';
import { msToProtoDuration, timestampMs } from './time';

const DAY_SECONDS = 24 * 60 * 60;

/**
 * Makes `namespace` keep closed runs for at least `days` days (UpdateNamespace), never shortening it.
 * Needed because namespaces the dev server creates keep runs only 24 hours, while Sluice promises
 * 30 days of run history in its embedded default.
 *
 * @example await ensureRetention(connection, 'default', 30);
 */
export async function ensureRetention(connection: Connection, namespace: string, days: number): Promise<void> {
  if (!Number.isFinite(days) || days <= 0) {
    throw new RangeError(`ensureRetention: days must be a positive number, got ${days}`);
  }
  const wanted = Math.round(days * DAY_SECONDS);
  const current = await retentionSeconds(connection, namespace);
  if (current >= wanted) return;
  await connection.workflowService.updateNamespace({
    namespace,
    config: { workflowExecutionRetentionTtl: msToProtoDuration(wanted * 1000) },
  });
}

/**
 * The namespace's current workflow execution retention, in seconds. Takes a connection or a client.
 *
 * @example (await retentionSeconds(connection, 'default')) / 86400 // days
 */
export async function retentionSeconds(connection: Pick<Connection, 'workflowService'>, namespace: string): Promise<number> {
  const described = await connection.workflowService.describeNamespace({ namespace });
  return (timestampMs(described.config?.workflowExecutionRetentionTtl) ?? 0) / 1000;
}
