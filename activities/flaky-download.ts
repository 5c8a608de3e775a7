/** A download that fails on its first two attempts, then succeeds: retries as they appear in a run. */
import { Context } from '@temporalio/activity';
import { log, task } from 'sluice';

export const downloadWithHiccups = task(
  { retries: 4, retryDelay: '1s', backoff: 2 },
  async function downloadWithHiccups(url: string): Promise<{ url: string; bytes: number; attempt: number }> {
    const { attempt } = Context.current().info;
    if (attempt <= 2) throw new Error(`${url} answered 503 Service Unavailable (attempt ${attempt})`);
    log.info('downloaded', { url, attempt });
    return { url, bytes: 1024 * attempt, attempt };
  },
);
