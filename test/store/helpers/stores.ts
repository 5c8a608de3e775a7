// Fresh, empty stores for tests that run the same body on SQLite and on PostgreSQL.
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openStore, redactUrl, type Store } from 'sluice/internal/store';
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

/** How the store's messages name a store: a SQLite file by its absolute path, PostgreSQL by its URL without the password. */
export function storeWhere(url: string): string {
  return url.startsWith('sqlite:') ? resolve(url.slice('sqlite:'.length)) : redactUrl(url);
}

export interface StorePair {
  store: Store;
  /** A second, independent connection to the same store: another process's. */
  other: Store;
  /** Closes both and deletes the store. */
  close(): Promise<void>;
}

/** A fresh store opened twice, for tests of two processes at once. */
export async function freshStorePair(dialect: Dialect, name: string): Promise<StorePair> {
  const fresh = await freshStoreUrl(dialect, name);
  const store = await openStore(fresh.url, { migrate: true });
  const other = await openStore(fresh.url, { migrate: true });
  return { store, other, close: async () => (await other.close(), await store.close(), await fresh.cleanup()) };
}
