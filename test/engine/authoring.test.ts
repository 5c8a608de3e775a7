// Unit tests of the pure parts of the authoring API: option translation, parameter messages, deployment checks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import path from 'node:path';
import { deploymentProblems, loadProject, ProjectError, scheduleSpecOf } from 'sluice/worker';
import { parseParameters } from '../../sdk/src/parameters';
import { toActivityOptions, toLocalActivityOptions } from '../../sdk/src/task-options';
import { FIXTURES } from '../harness/sluice';

describe('task options', () => {
  it('default to 3 retries with backoff and a 10 minute timeout', () => {
    assert.deepEqual(toActivityOptions(), {
      startToCloseTimeout: '10m',
      heartbeatTimeout: undefined,
      retry: { maximumAttempts: 4, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes: undefined },
    });
  });

  it('take the declaration, then the call site', () => {
    const o = toActivityOptions({ retries: 5, timeout: '2m', nonRetryableErrors: ['BadInput'] }, { retries: 0 });
    assert.equal(o.retry?.maximumAttempts, 1);
    assert.equal(o.startToCloseTimeout, '2m');
    assert.deepEqual(o.retry?.nonRetryableErrorTypes, ['BadInput']);
  });
});

describe('local tasks', () => {
  it('get the same retry policy and timeout, without a heartbeat', () => {
    const o = toLocalActivityOptions({ local: true, retries: 1, timeout: '5s' });
    assert.deepEqual(o, { startToCloseTimeout: '5s', retry: { maximumAttempts: 2, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes: undefined } });
  });

  it('cannot declare a heartbeat: the worker refuses, naming the task', () => {
    assert.throws(
      () => loadProject(FIXTURES.workflows, path.resolve(__dirname, '../fixtures/bad-local-task.ts')),
      (e: Error) => e instanceof ProjectError && /task heartbeatingLocally: a local task cannot heartbeat/.test(e.message),
    );
  });
});

describe('parameters', () => {
  const schema = z.object({ station: z.string(), days: z.number().int().max(30).default(7) });

  it('fill defaults', () => {
    assert.deepEqual(parseParameters('report', schema, { station: 'Eelde' }), { ok: true, value: { station: 'Eelde', days: 7 } });
  });

  it('name every wrong field in one message', () => {
    const r = parseParameters('report', schema, { days: 99 });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.deepEqual(r.issues.map((i) => i.path), ['station', 'days']);
    assert.match(r.message, /^Invalid parameters for flow report: station: .+; days: .+30/);
  });
});

describe('deployment declarations', () => {
  const schema = z.object({ station: z.string() });

  it('accept a valid cron, interval and manual deployment', () => {
    assert.deepEqual(
      deploymentProblems('report', schema, [
        { name: 'daily', cron: '0 6 * * *', timezone: 'Europe/Amsterdam', parameters: { station: 'x' } },
        { name: 'often', interval: '15 minutes', parameters: { station: 'x' } },
        { name: 'manual', parameters: { station: 'x' } },
      ]),
      [],
    );
  });

  it('name the flow and deployment of each problem', () => {
    const problems = deploymentProblems('report', schema, [
      { name: 'bad-cron', cron: '0 25 * * *', parameters: { station: 'x' } },
      { name: 'bad-tz', cron: '0 6 * * *', timezone: 'Mars/Olympus', parameters: { station: 'x' } },
      { name: 'bad-params', cron: '@daily', parameters: {} },
      { name: 'bad-params', interval: 'often', parameters: { station: 'x' } },
    ]);
    assert.equal(problems.length, 5, problems.join('\n'));
    assert.match(problems[0]!, /^flow report, deployment "bad-cron": invalid cron "0 25 \* \* \*"/);
    assert.match(problems[1]!, /deployment "bad-tz": unknown timezone "Mars\/Olympus"/);
    assert.match(problems[2]!, /deployment "bad-params": Invalid parameters for flow report: station:/);
    assert.ok(problems.some((p) => /declared twice/.test(p)));
    assert.ok(problems.some((p) => /invalid interval "often"/.test(p)));
  });

  it('translate to a schedule spec; no cron and no interval is manual only', () => {
    assert.deepEqual(scheduleSpecOf({ name: 'd', cron: '0 6 * * *', timezone: 'Europe/Amsterdam' }), { cronExpressions: ['0 6 * * *'], timezone: 'Europe/Amsterdam' });
    assert.deepEqual(scheduleSpecOf({ name: 'm' }), { timezone: 'UTC' });
  });
});
