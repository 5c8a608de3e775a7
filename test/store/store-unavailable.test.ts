// isStoreUnavailable on the errors real stores throw: a PostgreSQL nobody listens for, one stopped under an open
// store, an SQLite file that is not a database — unavailable (the web app answers 503); a bad query or a plain bug
// is not (a 500 with the details in the server log).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { isStoreUnavailable, openStore, StoreUnavailableError } from 'sluice/internal/store';
import { freePort } from 'sluice/internal/dev';
import { freshTmpDir } from '../harness/env';
import { startRestartablePostgres } from './helpers/restartable-postgres';

const thrown = async (work: () => unknown): Promise<unknown> => {
  try {
    await work();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
};

test('PostgreSQL: refused at open, stopped under an open store — unavailable; a bad query is not', async () => {
  const port = await freePort();
  const refused = await thrown(() => openStore(`postgres://postgres@127.0.0.1:${port}/sluice`));
  assert.equal(isStoreUnavailable(refused), true, String(refused));

  const pg = await startRestartablePostgres();
  const store = await openStore(pg.url, { migrate: true });
  try {
    const bad = await thrown(() => sql`select * from no_such_table`.execute(store.db));
    assert.equal(isStoreUnavailable(bad), false, String(bad));
    await pg.stop();
    const down = await thrown(() => store.readLogs({ runId: 'r' }));
    assert.equal(isStoreUnavailable(down), true, String(down));
  } finally {
    await store.close().catch(() => undefined);
    await pg.destroy();
  }
});

test('SQLite: a file that is not a database is unavailable; a bad query is not', async () => {
  const file = join(freshTmpDir('unreadable'), 'sluice.db');
  writeFileSync(file, 'this is not a database, but it is long enough to have a header: '.repeat(20));
  const notADatabase = await thrown(() => new BetterSqlite3(file).prepare('select 1 from logs'));
  assert.equal(isStoreUnavailable(notADatabase), true, String(notADatabase));
  assert.equal(isStoreUnavailable(await thrown(() => openStore(`sqlite:${file}`, { migrate: true }))), true);

  const store = await openStore(`sqlite:${join(freshTmpDir('readable'), 'sluice.db')}`, { migrate: true });
  try {
    const bad = await thrown(() => sql`select * from no_such_table`.execute(store.db));
    assert.equal(isStoreUnavailable(bad), false, String(bad));
  } finally {
    await store.close();
  }
});

test('the wrapped and the plain', () => {
  assert.equal(isStoreUnavailable(new StoreUnavailableError('down')), true);
  assert.equal(isStoreUnavailable(new Error('while reading', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) })), true);
  assert.equal(isStoreUnavailable(new TypeError('undefined is not a function')), false);
  assert.equal(isStoreUnavailable(undefined), false);
});
