// The fast helpers of `sluice/testing` a workflow repository tests with: runTask (one task, in its context,
// without Temporal) and startFlowTestEnv (the flows on Temporal's time-skipping test server, tasks replaced by
// stand-ins). The test server is Temporal's Java one, from Maven Central (scripts/temporal-test-server.sh).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RunFailedError } from 'sluice/client';
import { runTask, startFlowTestEnv, TEST_SERVER_ENV, type FlowTestEnv } from 'sluice/testing';
import { countSteps } from '../fixtures/progress-tasks';
import { BadInput, rejectsInput } from '../fixtures/tasks';

const FIXTURES = path.resolve(__dirname, '../fixtures');
const project = { workflows: path.join(FIXTURES, 'flows.ts'), activities: path.join(FIXTURES, 'tasks.ts') };

test('runTask runs a task in its context and returns its result and every progress it reported', async () => {
  const { result, progress } = await runTask(countSteps, 3, 1);
  assert.equal(result, 3);
  assert.deepEqual(progress, [1, 2, 3].map((i) => ({ done: i, total: 3, message: `step ${i} of 3` })));
});

test("runTask rejects with the task's own error", async () => {
  await assert.rejects(runTask(rejectsInput), BadInput);
});

test('startFlowTestEnv refuses a stand-in for a task that does not exist, naming it and the tasks there are', async () => {
  await assert.rejects(startFlowTestEnv({ ...project, tasks: { failsTwise: async () => 1 } }), /no task called failsTwise to replace; the tasks are alwaysFails, chatty, countedStep, failsTwice, /);
});

describe('startFlowTestEnv', () => {
  let env: FlowTestEnv;
  const calls: number[] = [];
  before(async () => {
    process.env[TEST_SERVER_ENV] = execFileSync('bash', [path.resolve(__dirname, '../../scripts/temporal-test-server.sh')], { encoding: 'utf8' }).trim();
    env = await startFlowTestEnv({ ...project, tasks: { failsTwice: async () => 42, noop: async () => void calls.push(1) } });
  });
  after(async () => {
    await env?.close();
  });

  test('a stand-in replaces its task; a fan-out calls it once per branch', async () => {
    assert.equal(await env.run('flakyFlow'), 42, 'the real failsTwice returns its third attempt, 3');
    assert.equal(await env.run('fanOutFlow', { n: 5 }), 5);
    assert.equal(calls.length, 5);
  });

  test('a failed run throws RunFailedError with the innermost cause, as the client does', async () => {
    const failure = await env.run('fatalFlow').catch((err: unknown) => err);
    assert.ok(failure instanceof RunFailedError, String(failure));
    assert.equal(failure.failure?.message, 'station "X" does not exist');
    assert.equal(failure.failure?.causes[0]?.type, 'TaskFailure');
  });

  test('parameters the flow refuses fail the run, naming the parameter', async () => {
    await assert.rejects(env.run('fanOutFlow', { n: 0 }), (err: RunFailedError) => /n: Too small/.test(err.message) && err.failure?.type === 'InvalidParameters');
  });
});
