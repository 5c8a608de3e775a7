// The Python package's own suite (python/tests, pytest) in the project's one test command: run in the venv of
// python/requirements*.txt against this checkout's code, with a SQLite store and a PostgreSQL database made
// and migrated here by the TypeScript store, so the Python side writes into the real schema.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, it } from 'node:test';
import { migrateStore } from 'sluice/store';
import { createTestDatabase } from '../harness/postgres';
import { pythonEnv, ROOT, venvPython } from '../harness/python';
import { sqliteStoreUrl } from '../harness/sluice';

it('pytest passes, nothing skipped', async () => {
  const sqlite = sqliteStoreUrl('pytest');
  const pg = await createTestDatabase('pytest');
  after(() => pg.drop());
  for (const url of [sqlite, pg.url]) await migrateStore(url); // the Python side only checks the schema
  const python = venvPython();
  const run = spawnSync(python, ['-m', 'pytest', '-q', '-rs', '-p', 'no:cacheprovider', 'tests'], {
    cwd: path.join(ROOT, 'python'),
    env: pythonEnv({ SLUICE_TEST_SQLITE_URL: sqlite, SLUICE_TEST_PG_URL: pg.url }),
    encoding: 'utf8',
    timeout: 300_000,
  });
  const output = `${run.stdout}\n${run.stderr}`;
  assert.equal(run.status, 0, output);
  assert.doesNotMatch(output, /skipped/, output);
  assert.match(output, /\d+ passed/);
});
