// Fresh, empty stores for tests that run the same body on SQLite and on PostgreSQL.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase } from '../../harness/postgres';
import { freshTmpDir } from '../../harness/env';

export const DIALECTS = ['sqlite', 'postgres'] as const;
export type Dialect = (typeof DIALECTS)[number];

export interface FreshStoreUrl {
  url: string;
  /** Deletes the file or drops the database. */
  cleanup(): Promise<void>;
}

/** A store URL nobody has opened yet: a file in a new folder, or a new database on the suite's PostgreSQL. */
export async function freshStoreUrl(dialect: Dialect, name: string): Promise<FreshStoreUrl> {
  if (dialect === 'postgres') {
    const db = await createTestDatabase(`store_${name}`);
    return { url: db.url, cleanup: db.drop };
  }
  const dir = freshTmpDir(`store-${name}`);
  return { url: `sqlite:${join(dir, 'nested', 'sluice.db')}`, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
}
