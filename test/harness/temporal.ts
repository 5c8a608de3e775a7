import { randomUUID } from 'node:crypto';
import type { Connection } from '@temporalio/client';
import { connect } from 'sluice/internal/temporal';
import { temporalAddress } from './env';

/**
 * A connection to the suite's Temporal dev server. Close it in `after()`.
 *
 * @example const connection = await testConnection(); after(() => connection.close());
 */
export function testConnection(): Promise<Connection> {
  return connect({ address: temporalAddress() });
}

/**
 * A name no other test uses on the shared server (task queues, workflow ids, deployment names).
 *
 * @example const taskQueue = uniqueName('ingest');
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
