// The shared test vectors (test/vectors/*.json), read here and by python/tests/test_vectors.py: the Python
// worker sends the worker API the lines TypeScript makes of the same log line (the fields as the same JSON text),
// in a body the API's schema takes as it is; durations read alike; the same declared options give the same
// Temporal activity options. (log-rows.json: the rows TypeScript's store writes for a line.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { msToNumber } from '@temporalio/common/lib/time';
import { fieldsText } from '../../sdk/src/log-fields';
import { appendLogRow } from '../../sdk/src/store/log-rows';
import { toActivityOptions, type TaskOptions } from '../../sdk/src/task-options';
import type { LogRecord } from '../../sdk/src/store/types';
import { logLine, logsRequest } from '../../sdk/src/worker-api/wire';
import { WORKER_PROTOCOL } from '../../sdk/src/compat';

const vectors = (name: string) => JSON.parse(readFileSync(path.resolve(__dirname, '../vectors', name), 'utf8'));

describe('shared vectors', () => {
  it('log-rows.json: the TypeScript shipper writes the expected row for each line', () => {
    const { cases } = vectors('log-rows.json') as { cases: { name: string; record: LogRecord; row: unknown[] }[] };
    assert.ok(cases.length >= 10);
    for (const { name, record, row } of cases) {
      // As a task writes a line (sdk/src/worker/task-output.ts): the fields become text when logged.
      const params: unknown[] = [];
      appendLogRow(params, { ...record, fieldsText: fieldsText(record.fields) });
      assert.deepEqual(params, row, name);
    }
  });

  it('log-batch.json: each line is the task\'s LogRecord with its fields as fieldsText, and the API takes the batch as it is', () => {
    const { cases, batch } = vectors('log-batch.json') as { cases: { name: string; record: LogRecord; line: Record<string, unknown> }[]; batch: unknown };
    assert.ok(cases.length >= 8);
    for (const { name, record, line } of cases) {
      const { fields, ...rest } = record;
      const text = fieldsText(fields);
      const made = { flow: null, task: null, activityId: null, attempt: null, ...rest, ...(text === undefined ? {} : { fieldsText: text }) };
      assert.deepEqual(made, line, name);
      assert.deepEqual(logLine.parse(line), line, `${name}: the schema keeps every field`);
    }
    assert.deepEqual(logsRequest.parse(batch), batch);
  });

  it('durations.json: TypeScript reads each duration as the expected milliseconds, or refuses it', () => {
    for (const [text, ms] of vectors('durations.json').cases as [string, number | null][]) {
      if (ms === null) assert.throws(() => msToNumber(text as never), Error, text);
      else assert.equal(msToNumber(text as never), ms, text);
    }
  });

  it('task-options.json: the options Python publishes give the same activity options as the TypeScript declaration', () => {
    for (const c of vectors('task-options.json').cases as { name: string; typescript: TaskOptions; published: TaskOptions }[]) {
      const fromPython = toActivityOptions(c.published);
      const fromTypeScript = toActivityOptions(c.typescript);
      const ms = (o: ReturnType<typeof toActivityOptions>) => ({
        timeout: msToNumber(o.startToCloseTimeout as never),
        heartbeat: o.heartbeatTimeout === undefined ? undefined : msToNumber(o.heartbeatTimeout as never),
        attempts: o.retry!.maximumAttempts,
        initial: msToNumber(o.retry!.initialInterval as never),
        backoff: o.retry!.backoffCoefficient,
        max: msToNumber(o.retry!.maximumInterval as never),
        nonRetryable: o.retry!.nonRetryableErrorTypes,
      });
      assert.deepEqual(ms(fromPython), ms(fromTypeScript), c.name);
    }
  });
});

describe('versions', () => {
  it('the Python package declares the version and protocol the TypeScript package does (its Sluice-Worker header)', () => {
    const wire = readFileSync(path.resolve(__dirname, '../../python/src/sluice/wire.py'), 'utf8');
    const pyproject = readFileSync(path.resolve(__dirname, '../../python/pyproject.toml'), 'utf8');
    const sdk = JSON.parse(readFileSync(path.resolve(__dirname, '../../sdk/package.json'), 'utf8')) as { version: string };
    assert.equal(/^VERSION = "([^"]+)"$/m.exec(wire)?.[1], sdk.version);
    assert.equal(/^version = "([^"]+)"$/m.exec(pyproject)?.[1], sdk.version);
    assert.equal(Number(/^PROTOCOL = (\d+)$/m.exec(wire)?.[1]), WORKER_PROTOCOL.current);
  });
});
