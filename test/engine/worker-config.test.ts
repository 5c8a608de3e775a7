/** Unit tests of workerConfigFromEnv: the worker's settings, their defaults and readable errors. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RepositorySettingsError, workerConfigFromEnv } from 'sluice/internal/worker';
import { freshTmpDir } from '../harness/env';

test('defaults: queue sluice, 30 s grace, echo from WARN, up to 100 tasks started eagerly per flow step', () => {
  const config = workerConfigFromEnv({});
  assert.equal(config.taskQueue, 'sluice');
  assert.equal(config.shutdownGraceTime, '30s');
  assert.equal(config.logEcho, 'WARN');
  assert.equal(config.eagerTasks, 100);
  assert.equal(workerConfigFromEnv({ SLUICE_EAGER_TASKS: '' }).eagerTasks, 100, 'blank means default');
});

test('SLUICE_EAGER_TASKS takes a count, 0 included', () => {
  assert.equal(workerConfigFromEnv({ SLUICE_EAGER_TASKS: '3' }).eagerTasks, 3);
  assert.equal(workerConfigFromEnv({ SLUICE_EAGER_TASKS: '0' }).eagerTasks, 0);
});

test('a wrong value is named', () => {
  for (const value of ['many', '-1', '2.5']) {
    assert.throws(() => workerConfigFromEnv({ SLUICE_EAGER_TASKS: value }), (err: Error) => /Invalid worker settings/.test(err.message) && /SLUICE_EAGER_TASKS/.test(err.message), value);
  }
});

test('the start-up replay check: up to 100 open runs within 60 s by default; 0 runs turns it off; a wrong value is named', () => {
  assert.deepEqual(workerConfigFromEnv({}).replay, { maxRuns: 100, budgetMs: 60_000 });
  assert.deepEqual(workerConfigFromEnv({ SLUICE_REPLAY_MAX_RUNS: '0', SLUICE_REPLAY_BUDGET_SECONDS: '5' }).replay, { maxRuns: 0, budgetMs: 5_000 });
  for (const [name, value] of [['SLUICE_REPLAY_MAX_RUNS', '-1'], ['SLUICE_REPLAY_MAX_RUNS', 'all'], ['SLUICE_REPLAY_BUDGET_SECONDS', '0']] as const) {
    assert.throws(() => workerConfigFromEnv({ [name]: value }), (err: Error) => new RegExp(name).test(err.message), `${name}=${value}`);
  }
});

test('SLUICE_HEALTH_FILE: none by default; a path, resolved', () => {
  assert.equal(workerConfigFromEnv({}).healthFile, undefined);
  assert.equal(workerConfigFromEnv({ SLUICE_HEALTH_FILE: '' }).healthFile, undefined, 'blank means none');
  assert.equal(workerConfigFromEnv({ SLUICE_HEALTH_FILE: 'health.json' }).healthFile, path.resolve('health.json'));
});

describe('remote mode (SLUICE_URL + SLUICE_WORKER_TOKEN) and direct mode (DATABASE_URL)', () => {
  const token = 'slc_' + 'a'.repeat(43);
  test('both set and no DATABASE_URL: remote; DATABASE_URL wins; neither: direct', () => {
    assert.deepEqual(workerConfigFromEnv({ SLUICE_URL: 'http://web:3000', SLUICE_WORKER_TOKEN: token }).remote, { url: 'http://web:3000', token });
    assert.equal(workerConfigFromEnv({ SLUICE_URL: 'http://web:3000', SLUICE_WORKER_TOKEN: token, DATABASE_URL: 'sqlite:x.db' }).remote, undefined);
    assert.equal(workerConfigFromEnv({}).remote, undefined);
    assert.equal(workerConfigFromEnv({ SLUICE_URL: '', SLUICE_WORKER_TOKEN: '' }).remote, undefined, 'blank means unset');
  });

  test('half of remote mode is refused, saying what to set', () => {
    assert.throws(() => workerConfigFromEnv({ SLUICE_URL: 'http://web:3000' }), /SLUICE_WORKER_TOKEN is not.*--role worker --queues/);
    assert.throws(() => workerConfigFromEnv({ SLUICE_WORKER_TOKEN: token }), /SLUICE_URL is not/);
    assert.throws(() => workerConfigFromEnv({ SLUICE_URL: 'web:3000', SLUICE_WORKER_TOKEN: token }), /SLUICE_URL: must be the web app's base URL/);
  });
});

test('SLUICE_SPOOL_DIR: spool in SLUICE_DATA_DIR by default, a directory per task queue; SLUICE_SPOOL_MAX_BYTES: 1 GiB', () => {
  assert.equal(workerConfigFromEnv({}).spoolDir, path.resolve('data/spool/sluice'));
  assert.equal(workerConfigFromEnv({ SLUICE_DATA_DIR: '/var/sluice' }).spoolDir, '/var/sluice/spool/sluice');
  assert.equal(workerConfigFromEnv({ SLUICE_SPOOL_DIR: '/spool', SLUICE_TASK_QUEUE: 'etl' }).spoolDir, '/spool/etl');
  // Any task queue name is valid, not every one a directory name: two that differ only there stay apart.
  const [a, b] = ['a/b', 'a:b'].map((q) => workerConfigFromEnv({ SLUICE_SPOOL_DIR: '/spool', SLUICE_TASK_QUEUE: q }).spoolDir);
  assert.match(a!, /^\/spool\/a_b-[0-9a-f]{12}$/);
  assert.notEqual(a, b);
  assert.equal(workerConfigFromEnv({ SLUICE_TASK_QUEUE: '..' }).spoolDir.startsWith(path.resolve('data/spool') + path.sep), true);
  assert.equal(workerConfigFromEnv({}).spoolMaxBytes, 1024 ** 3);
  assert.equal(workerConfigFromEnv({ SLUICE_SPOOL_MAX_BYTES: '10485760' }).spoolMaxBytes, 10 * 1024 ** 2);
  assert.throws(() => workerConfigFromEnv({ SLUICE_SPOOL_MAX_BYTES: '1000' }), (err: Error) => /SLUICE_SPOOL_MAX_BYTES/.test(err.message));
});

describe("the repository's own settings (package.json \"sluice\")", () => {
  // A repository made by `sluice new` records its task queue and identity; SLUICE_TASK_QUEUE still wins.
  const repository = (json: object) => {
    const dir = freshTmpDir('repo-settings');
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify(json));
    mkdirSync(path.join(dir, 'workflows'));
    return { SLUICE_WORKFLOWS: path.join(dir, 'workflows') };
  };

  test('its task queue and repository, unless SLUICE_TASK_QUEUE says otherwise', () => {
    const env = repository({ name: 'rain-flows', sluice: { taskQueue: 'rain-flows', repository: 'rain-flows-0a1b2c3d' } });
    assert.deepEqual(pick(workerConfigFromEnv(env)), { taskQueue: 'rain-flows', repository: 'rain-flows-0a1b2c3d' });
    assert.deepEqual(pick(workerConfigFromEnv({ ...env, SLUICE_TASK_QUEUE: 'other' })), { taskQueue: 'other', repository: 'rain-flows-0a1b2c3d' });
  });

  test('without them: queue sluice, and the package name as repository', () => {
    assert.deepEqual(pick(workerConfigFromEnv(repository({ name: 'old-flows' }))), { taskQueue: 'sluice', repository: 'old-flows' });
    assert.deepEqual(pick(workerConfigFromEnv({})), { taskQueue: 'sluice', repository: 'sluice-project' }, "Sluice's own examples");
  });

  test('a wrong value is named, with the file', () => {
    const env = repository({ name: 'x', sluice: { taskQueue: 'has spaces' } });
    assert.throws(() => workerConfigFromEnv(env), (err: Error) => err instanceof RepositorySettingsError && err.message.includes(path.dirname(env.SLUICE_WORKFLOWS)) && /sluice\.taskQueue/.test(err.message));
  });
});

const pick = ({ taskQueue, repository }: { taskQueue: string; repository?: string }) => ({ taskQueue, repository });
