import { Connection } from '@temporalio/client';
import { ensureRetention, ensureSearchAttributes } from '../temporal';

export interface PrepareOptions {
  address: string;
  namespace: string;
  /** Days of closed-run history to keep; undefined: leave the namespace as it is (a bare server). */
  retentionDays?: number;
  /** Sluice's search attributes (false: a bare server). */
  searchAttributes: boolean;
  timeoutMs: number;
}

/**
 * Waits until the embedded server's frontend answers (getSystemInfo), then puts Sluice's search attributes and
 * the retention in place. Loaded only when needed (see dev-server.ts), or in a child (./temporal-child.ts).
 */
export async function prepareDevServer(o: PrepareOptions, signal?: AbortSignal): Promise<void> {
  const connection = await waitForFrontend(o.address, o.timeoutMs, signal);
  try {
    if (o.searchAttributes) await ensureSearchAttributes(connection, o.namespace);
    if (o.retentionDays !== undefined) await ensureRetention(connection, o.namespace, o.retentionDays);
  } finally {
    await connection.close();
  }
}

async function waitForFrontend(address: string, timeoutMs: number, signal?: AbortSignal): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    signal?.throwIfAborted(); // the server is gone: stop trying
    try {
      const connection = await Connection.connect({ address, connectTimeout: '2s' });
      try {
        await connection.workflowService.getSystemInfo({});
        return connection;
      } catch (err) {
        await connection.close();
        throw err;
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Temporal dev server did not answer on ${address} within ${Math.round(timeoutMs / 1000)} s: ${(lastError as Error)?.message}`);
}
