import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { testDatabaseUrl } from './env';

export interface TestDatabase {
  /** URL of a new, empty database on the suite's PostgreSQL. */
  url: string;
  /** Drops the database, closing connections still open to it. */
  drop(): Promise<void>;
}

/**
 * A private, empty database on the suite's PostgreSQL, so a test file never sees another's tables.
 *
 * @example
 * const db = await createTestDatabase();
 * after(() => db.drop());
 */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const base = new URL(testDatabaseUrl());
  const name = `${prefix.replace(/\W/g, '_').toLowerCase()}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await admin(base, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // WITH (FORCE) (PostgreSQL 13+) so a pool a test forgot to end does not block the drop.
    drop: () => admin(base, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

async function admin<T>(url: URL, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
