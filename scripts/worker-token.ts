/**
 * The worker token `npm start` gives its own workers (remote mode: they reach the store only through the web
 * app's worker API, as a team's worker does in production). Its secret is kept in the data directory, readable
 * by this user only, and reused while the store still accepts it for the same task queues; otherwise a new one
 * is made and the old one revoked. Only a hash is in the store, so the file is the one place the secret lives.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from 'sluice/internal/store';
import { createApiToken, listApiTokens, lookUpApiToken, revokeApiToken } from '../web/lib/auth/tokens';

const NAME = 'npm-start-worker';

export async function ensureWorkerToken(storeUrl: string, dataDir: string, taskQueues: string[]): Promise<string> {
  const file = join(dataDir, 'worker-token');
  const wanted = [...new Set(taskQueues)].sort().join(',');
  const store = await openStore(storeUrl);
  try {
    let kept = '';
    try {
      kept = readFileSync(file, 'utf8').trim();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (kept) {
      const found = await lookUpApiToken(store.db, kept);
      if ('token' in found && found.token.role === 'worker' && found.token.taskQueues?.join(',') === wanted) return kept;
    }
    // A live token of this name (other queues, or its secret lost) is replaced: two live tokens may not share a name.
    for (const t of await listApiTokens(store.db)) if (t.name === NAME && t.revokedAt === null) await revokeApiToken(store.db, t.id);
    const { token } = await createApiToken(store.db, { name: NAME, role: 'worker', taskQueues, createdBy: null });
    writeFileSync(file, token, { mode: 0o600 });
    return token;
  } finally {
    await store.close();
  }
}
