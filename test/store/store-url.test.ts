// Which database a process uses: the URL rules, as pure functions (no database needed).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStoreUrl, redactUrl, storeUrlFromEnv, StoreUrlError } from 'sluice/internal/store';

test('storeUrlFromEnv prefers DATABASE_URL, else a SQLite file in SLUICE_DATA_DIR, else ./data', () => {
  assert.equal(storeUrlFromEnv({ DATABASE_URL: 'postgres://u:p@db/sluice', SLUICE_DATA_DIR: '/x' }), 'postgres://u:p@db/sluice');
  assert.equal(storeUrlFromEnv({ SLUICE_DATA_DIR: '/var/lib/sluice/' }), 'sqlite:/var/lib/sluice/sluice.db');
  assert.equal(storeUrlFromEnv({ DATABASE_URL: '  ' }), 'sqlite:./data/sluice.db');
  assert.equal(storeUrlFromEnv({}), 'sqlite:./data/sluice.db');
});

test('parseStoreUrl reads postgres, sqlite: and plain paths', () => {
  assert.deepEqual(parseStoreUrl('postgresql://h/db'), { dialect: 'postgres', connectionString: 'postgresql://h/db' });
  assert.deepEqual(parseStoreUrl('postgres://h/db'), { dialect: 'postgres', connectionString: 'postgres://h/db' });
  assert.deepEqual(parseStoreUrl('sqlite:./data/sluice.db'), { dialect: 'sqlite', path: './data/sluice.db' });
  assert.deepEqual(parseStoreUrl('sqlite:///abs/sluice.db'), { dialect: 'sqlite', path: '/abs/sluice.db' });
  assert.deepEqual(parseStoreUrl('sqlite::memory:'), { dialect: 'sqlite', path: ':memory:' });
  assert.deepEqual(parseStoreUrl('/tmp/sluice.db'), { dialect: 'sqlite', path: '/tmp/sluice.db' });
  assert.deepEqual(parseStoreUrl('C:\\data\\sluice.db'), { dialect: 'sqlite', path: 'C:\\data\\sluice.db' });
});

test('an unusable URL is a readable error that hides the password', () => {
  assert.throws(() => parseStoreUrl('mysql://root:hunter2@db/sluice'), (err: Error) => {
    assert.ok(err instanceof StoreUrlError);
    assert.match(err.message, /'mysql:'/);
    assert.match(err.message, /DATABASE_URL/);
    assert.doesNotMatch(err.message, /hunter2/);
    return true;
  });
  assert.throws(() => parseStoreUrl(''), StoreUrlError);
  assert.throws(() => parseStoreUrl('sqlite:'), /names no file/);
  assert.equal(redactUrl('postgres://sluice:s3cret@db:5432/sluice'), 'postgres://sluice:***@db:5432/sluice');
});
