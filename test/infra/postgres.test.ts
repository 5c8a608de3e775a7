/** scripts/postgres.ts and the harness's PostgreSQL helpers, against real servers. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { startPostgres } from '../../scripts/postgres';
import { testDatabaseUrl } from '../harness/env';
import { createTestDatabase } from '../harness/postgres';

async function query<T extends Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

test('startPostgres gives a working URL to a database `sluice` on loopback; stop() removes it', async () => {
  const pg = await startPostgres();
  let stopped = false;
  after(() => (stopped ? undefined : pg.stop()));
  const url = new URL(pg.url);
  assert.equal(url.hostname, '127.0.0.1');
  assert.equal(url.pathname, '/sluice');

  await query(pg.url, 'CREATE TABLE t (x int); INSERT INTO t VALUES (41)');
  assert.deepEqual(await query(pg.url, 'SELECT x + 1 AS y FROM t'), [{ y: 42 }]);
  const [{ addr }] = await query<{ addr: string }>(pg.url, 'SELECT inet_server_addr()::text AS addr');
  assert.equal(addr, '127.0.0.1/32');

  await pg.stop();
  stopped = true;
  assert.equal(existsSync(pg.dir), false, 'its directory is deleted');
  await assert.rejects(query(pg.url, 'SELECT 1'), /ECONNREFUSED/);
});

test("the suite's PostgreSQL (SLUICE_TEST_DATABASE_URL) answers", async () => {
  const [{ one }] = await query<{ one: number }>(testDatabaseUrl(), 'SELECT 1 AS one');
  assert.equal(one, 1);
});

test('createTestDatabase gives each caller its own empty database, and drops it', async () => {
  const a = await createTestDatabase('infra');
  const b = await createTestDatabase('infra');
  assert.notEqual(a.url, b.url);
  await query(a.url, 'CREATE TABLE only_in_a (x int)');
  const tables = await query(b.url, "SELECT table_name FROM information_schema.tables WHERE table_name = 'only_in_a'");
  assert.deepEqual(tables, []);

  // An open connection must not block the drop (WITH (FORCE)).
  const lingering = new Client({ connectionString: a.url });
  await lingering.connect();
  lingering.on('error', () => undefined);
  await a.drop();
  await b.drop();
  await lingering.end().catch(() => undefined);
  await assert.rejects(query(a.url, 'SELECT 1'), /does not exist/);
});
