// The Python package's own suite (python/tests, pytest) in the project's one test command: run in the venv of
// python/requirements*.txt against this checkout's code. The end-to-end tests with the real web app are beside it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { it } from 'node:test';
import { pythonEnv, ROOT, venvPython } from '../harness/python';

it('pytest passes, nothing skipped', () => {
  const run = spawnSync(venvPython(), ['-m', 'pytest', '-q', '-rs', '-p', 'no:cacheprovider', 'tests'], {
    cwd: path.join(ROOT, 'python'),
    env: pythonEnv(),
    encoding: 'utf8',
    timeout: 300_000,
  });
  const output = `${run.stdout}\n${run.stderr}`;
  assert.equal(run.status, 0, output);
  assert.doesNotMatch(output, /skipped/, output);
  assert.match(output, /\d+ passed/);
});
