/** Unit tests of workerConfigFromEnv: the worker's settings, their defaults and readable errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { workerConfigFromEnv } from 'sluice/worker';

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

test('SLUICE_HEALTH_FILE: none by default; a path, resolved', () => {
  assert.equal(workerConfigFromEnv({}).healthFile, undefined);
  assert.equal(workerConfigFromEnv({ SLUICE_HEALTH_FILE: '' }).healthFile, undefined, 'blank means none');
  assert.equal(workerConfigFromEnv({ SLUICE_HEALTH_FILE: 'health.json' }).healthFile, path.resolve('health.json'));
});
