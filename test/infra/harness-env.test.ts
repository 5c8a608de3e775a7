/** test/harness/env.ts: a missing variable says how to run the test instead of failing obscurely. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { freshTmpDir, HarnessNotRunningError, testDatabaseUrl, testEnv, testTmpDir } from '../harness/env';

test('under the harness every variable is there', () => {
  const env = testEnv();
  assert.match(env.temporalAddress, /^[\w.-]+:\d+$/);
  assert.match(env.databaseUrl, /^postgres(ql)?:\/\//);
  assert.ok(statSync(env.tmpDir).isDirectory());
});

test('freshTmpDir makes a new directory inside the suite tmp dir each time', () => {
  const a = freshTmpDir('some name/with slash');
  const b = freshTmpDir('some name/with slash');
  assert.notEqual(a, b);
  assert.equal(dirname(a), testTmpDir());
  assert.ok(existsSync(a) && existsSync(b));
});

test('without the harness the error names the variable and the command to use', () => {
  const saved = process.env.SLUICE_TEST_DATABASE_URL;
  delete process.env.SLUICE_TEST_DATABASE_URL;
  try {
    assert.throws(
      () => testDatabaseUrl(),
      (err: Error) => err instanceof HarnessNotRunningError && /SLUICE_TEST_DATABASE_URL is not set/.test(err.message) && /npm test -- /.test(err.message),
    );
  } finally {
    process.env.SLUICE_TEST_DATABASE_URL = saved;
  }
});
