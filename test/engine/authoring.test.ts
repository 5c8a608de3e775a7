// Unit tests of the pure parts of the authoring API: option translation, parameter messages, deployment checks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import path from 'node:path';
import { deploymentProblems, loadProject, parameterSchemaProblems, ProjectError, RUN_DEFAULTS, scheduleSpecOf } from 'sluice/internal/worker';
import { runTimeoutMsOf, schedulePoliciesOf } from '../../sdk/src/deployments';
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

describe('limits', () => {
  it('refuses bad declarations, naming each flow, deployment or task and what to write instead', () => {
    const bad = path.resolve(__dirname, '../fixtures/bad-limits.ts');
    assert.throws(
      () => loadProject(bad, bad),
      (e: Error) => {
        assert.ok(e instanceof ProjectError);
        assert.deepEqual(e.problems.sort(), [
          'flow halfAFlow, deployment "nightly": invalid concurrency -1 (use a whole number of at least 1)',
          "flow halfAFlow: invalid concurrency 1.5 (use a whole number of at least 1, or { limit: 1, key: (p) => p.basin })",
          "task badRate: invalid rateLimit per \"sometimes\" (use e.g. '1 minute', '10s')",
          "task keyFunctionOnTask: invalid concurrency key function (use a name, e.g. { limit: 2, key: 'knmi-api' })",
          "task tooFew: invalid concurrency 0 (use a whole number of at least 1, or { limit: 2, key: 'knmi-api' })",
        ]);
        return true;
      },
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

describe('run timeouts and schedule policies', () => {
  it('default to 24 hours, skip and a 10 minute catch-up window; the deployment wins over the flow', () => {
    assert.deepEqual(RUN_DEFAULTS, { runTimeout: '24 hours', overlap: 'skip', catchupWindow: '10 minutes' });
    assert.equal(runTimeoutMsOf(undefined), 24 * 3_600_000);
    assert.equal(runTimeoutMsOf('2h'), 7_200_000);
    assert.equal(runTimeoutMsOf('2h', { name: 'd', runTimeout: '30 minutes' }), 1_800_000);
    assert.deepEqual(schedulePoliciesOf({ name: 'd' }), { overlap: 'SKIP', catchupWindow: '10 minutes' });
    assert.deepEqual(schedulePoliciesOf({ name: 'd', overlap: 'bufferOne', catchupWindow: '1h' }), { overlap: 'BUFFER_ONE', catchupWindow: '1h' });
    assert.equal(schedulePoliciesOf({ name: 'd', overlap: 'allowAll' }).overlap, 'ALLOW_ALL');
  });

  it('are checked with messages naming flow and deployment', () => {
    const problems = deploymentProblems('report', undefined, [
      { name: 'a', runTimeout: 'forever' },
      { name: 'b', overlap: 'queue' as never },
      { name: 'c', catchupWindow: '1s' },
      { name: 'ok', runTimeout: '2h', overlap: 'bufferOne', catchupWindow: '1 hour' },
    ]);
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems[0]!, /^flow report, deployment "a": invalid runTimeout "forever"/);
    assert.match(problems[1]!, /^flow report, deployment "b": unknown overlap "queue" \(use 'skip', 'bufferOne', 'allowAll'\)/);
    assert.match(problems[2]!, /^flow report, deployment "c": invalid catchupWindow "1s".*at least 10 seconds/);
  });
});

describe('deployment parameters', () => {
  it('are checked as the schedule stores them: after a JSON round trip', () => {
    const schema = z.object({ days: z.array(z.number().optional()) });
    // A hole in an array is undefined (allowed) in JavaScript but null (refused) once stored as JSON.
    // eslint-disable-next-line no-sparse-arrays
    const problems = deploymentProblems('report', schema, [{ name: 'holes', parameters: { days: [1, , 3] } }]);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0]!, /deployment "holes": Invalid parameters for flow report: days\.1: .*after JSON/);
    const unstorable = deploymentProblems('report', undefined, [{ name: 'big', parameters: { n: 1n } }]);
    assert.match(unstorable[0]!, /deployment "big": parameters cannot be stored as JSON/);
  });
});

describe('parameter schemas', () => {
  it('accept what JSON Schema carries: checks, enums, defaults, optional and nested fields', () => {
    const schema = z.object({
      station: z.string().min(1).regex(/^[A-Z]/),
      days: z.number().int().max(30).default(7),
      mode: z.enum(['fast', 'slow']).optional(),
      window: z.object({ from: z.iso.date(), to: z.iso.date().nullable() }),
      tags: z.array(z.string()).default([]),
    });
    assert.deepEqual(parameterSchemaProblems('report', schema), []);
  });

  it('refuse what the client cannot check as the flow does, naming flow, parameter and why', () => {
    const schema = z.object({
      range: z.object({ from: z.number(), to: z.number() }).refine((r) => r.from <= r.to),
      day: z.date(),
      count: z.coerce.number(),
      name: z.string().transform((v) => v.toUpperCase()),
      trimmed: z.string().trim(),
      list: z.array(z.string().superRefine(() => {})),
      pre: z.preprocess((v) => v, z.string()),
      label: z.string().default('x'),
    });
    const problems = parameterSchemaProblems('report', schema);
    const about = (field: string) => problems.filter((p) => p.startsWith(`flow report, parameter ${field}: `));
    assert.match(about('range')[0]!, /\.refine\(\).*cannot be checked before a run starts/);
    assert.match(about('day')[0]!, /z\.date\(\).*z\.iso\.date\(\)/);
    assert.match(about('count')[0]!, /z\.coerce/);
    assert.match(about('name')[0]!, /\.transform\(\)/);
    assert.match(about('trimmed')[0]!, /\.trim\(\)/);
    assert.match(about('list[]')[0]!, /\.refine\(\)/);
    assert.match(about('pre')[0]!, /z\.preprocess\(\)/);
    assert.deepEqual(about('label'), []);
    assert.equal(problems.length, 7, problems.join('\n'));
    assert.match(parameterSchemaProblems('report', z.object({ a: z.number() }).refine(() => true))[0]!, /^flow report, parameter \(parameters\): \.refine/);
  });
});
