// Runs on a real worker and Temporal server: retries follow the declared policy, parameters are checked on
// both sides, and every log line of flows and tasks lands in the (SQLite) store with its run, task and attempt.
import { WorkflowFailedError } from '@temporalio/client';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvalidParametersError, RunFailedError, UnknownFlowError, type SluiceClient } from 'sluice/client';
import type { Store } from 'sluice/internal/store';
import { readHistory } from '../../sdk/src/client/run-history';
import { freshTmpDir } from '../harness/env';
import { eventually } from '../harness/eventually';
import { FIXTURES, sqliteStoreUrl, testClient } from '../harness/sluice';
import { uniqueName } from '../harness/temporal';
import { startWorker, type TestWorker } from '../harness/worker';

let worker: TestWorker;
let client: SluiceClient;
let store: Store;
let close: () => Promise<void>;
const taskQueue = uniqueName('runs');

before(async () => {
  const storeUrl = sqliteStoreUrl('runs');
  worker = await startWorker({ taskQueue, storeUrl, ...FIXTURES });
  ({ client, store, close } = await testClient(storeUrl));
});
after(async () => {
  await close?.();
  await worker?.stop();
});

async function failureOfRun(flow: string) {
  const ref = await client.start(flow, {});
  await assert.rejects(client.waitForResult(ref), RunFailedError);
  const run = (await client.getRun(ref.workflowId, ref.runId))!;
  return { ref, run };
}

describe('retries', () => {
  it('retry a failing task as declared until it succeeds (attempts read from the history)', async () => {
    const ref = await client.start('flakyFlow', {});
    assert.equal(await client.waitForResult(ref), 3);
    const run = (await client.getRun(ref.workflowId))!;
    assert.equal(run.status, 'completed');
    assert.equal(run.tasks.length, 1);
    assert.equal(run.tasks[0]!.task, 'failsTwice');
    assert.equal(run.tasks[0]!.attempts, 3);
    assert.equal(run.tasks[0]!.maximumAttempts, 4);
    assert.match(run.tasks[0]!.lastFailure!.message, /flaky, attempt 2/);
  });

  it('retry a local task as declared; the run shows it with its final attempt once it ended', async () => {
    const ref = await client.start('localFlakyFlow', {});
    assert.equal(await client.waitForResult(ref), 3);
    const run = (await client.getRun(ref.workflowId))!;
    assert.equal(run.tasks.length, 1);
    assert.deepEqual([run.tasks[0]!.task, run.tasks[0]!.status, run.tasks[0]!.attempts, run.tasks[0]!.local], ['failsTwiceLocally', 'completed', 3, true]);
  });

  it('stop after the declared number of retries, with the readable cause as the run failure', async () => {
    const { run } = await failureOfRun('brokenFlow');
    assert.equal(run.status, 'failed');
    assert.equal(run.tasks[0]!.attempts, 3); // retries: 2
    assert.equal(run.tasks[0]!.status, 'failed');
    assert.match(run.failure!.message, /broken for good \(attempt 3\)/);
    assert.ok(run.failure!.stack, 'the stack is kept behind the message');
  });

  it('never retry a non-retryable error type', async () => {
    const { run } = await failureOfRun('fatalFlow');
    assert.equal(run.tasks[0]!.attempts, 1);
    assert.equal(run.failure!.type, 'BadInput');
    assert.equal(run.failure!.message, 'station "X" does not exist');
  });

  it('let a call site override the declared policy', async () => {
    const { run } = await failureOfRun('overrideFlow');
    assert.equal(run.tasks[0]!.attempts, 1);
    assert.equal(run.tasks[0]!.maximumAttempts, 1);
  });
});

describe('reading a run again', () => {
  it('fetches only the events added since, a closed run not at all, and shows what a full read shows', async () => {
    const ref = await client.start('durableFlow', { file: join(freshTmpDir('reads'), 'steps'), stepMs: 1500 });
    // Which history reads this client makes for this run (the real calls, counted on their way to Temporal).
    const service = client.temporal.workflowService;
    const reads: string[] = [];
    const originals = { full: service.getWorkflowExecutionHistory, reverse: service.getWorkflowExecutionHistoryReverse };
    service.getWorkflowExecutionHistory = ((req: Parameters<typeof originals.full>[0]) => {
      // waitForResult long-polls for the close event through the same call: not a read of the run's history.
      if (req.execution?.runId === ref.runId && !req.waitNewEvent) reads.push('full');
      return originals.full.call(service, req);
    }) as typeof originals.full;
    service.getWorkflowExecutionHistoryReverse = ((req: Parameters<typeof originals.reverse>[0]) => {
      if (req.execution?.runId === ref.runId) reads.push('tail');
      return originals.reverse.call(service, req);
    }) as typeof originals.reverse;
    try {
      const midway = await eventually(async () => {
        const run = await client.getRun(ref.workflowId, ref.runId);
        return run?.tasks.some((t) => t.status === 'running') && run;
      }, 15_000, 'a task running');
      assert.equal(midway.status, 'running');
      assert.equal(reads[0], 'full', 'the first read of a run reads its whole history');
      assert.ok(!reads.slice(1).includes('full'), `later reads fetch only the tail: ${reads.join(', ')}`);

      await client.waitForResult(ref);
      const done = (await client.getRun(ref.workflowId, ref.runId))!;
      assert.equal(reads.filter((r) => r === 'full').length, 1);
      assert.equal(reads.at(-1), 'tail');
      const count = reads.length;
      assert.deepEqual(await client.getRun(ref.workflowId, ref.runId), done, 'a closed run reads the same again');
      assert.equal(reads.length, count, 'without reading its history again');

      const full = readHistory(await client.temporal.workflow.getHandle(ref.workflowId, ref.runId).fetchHistory());
      assert.deepEqual(done.tasks, full.tasks);
      assert.deepEqual([done.parameters, done.result, done.failure], [full.parameters, full.result, full.failure]);
      assert.deepEqual(done.tasks.map((t) => [t.task, t.status]), [['countedStep', 'completed'], ['countedStep', 'completed'], ['countedStep', 'completed']]);
    } finally {
      Object.assign(service, { getWorkflowExecutionHistory: originals.full, getWorkflowExecutionHistoryReverse: originals.reverse });
    }
  });

  it('gives the latest run of a workflow id without reading its history', async () => {
    const ref = await client.start('chattyFlow', { n: 2 });
    await client.waitForResult(ref);
    const summary = await client.getRunSummary(ref.workflowId);
    assert.deepEqual([summary?.runId, summary?.status, summary?.flow], [ref.runId, 'completed', 'chattyFlow']);
    assert.equal(await client.getRunSummary('no-such-workflow-id'), undefined);
  });
});

describe('parameters', () => {
  it('are checked before a run starts: each wrong field named, nothing started', async () => {
    const workflowId = uniqueName('invalid');
    const error = await client.start('validatedFlow', { count: 0, mode: 'turbo' }, { workflowId }).then(
      () => assert.fail('started a run with invalid parameters'),
      (e) => e,
    );
    assert.ok(error instanceof InvalidParametersError);
    assert.deepEqual(error.issues.map((i: { path: string }) => i.path), ['count', 'name', 'mode']);
    assert.match(error.message, /^Invalid parameters for flow validatedFlow: count: .*; name: .*; mode: /);
    assert.equal(await client.getRun(workflowId), undefined);
  });

  it('are checked again when the flow starts: bad input fails the run at once, without retry', async () => {
    // Started around Sluice's client, as a program using Temporal directly could.
    const handle = await client.temporal.workflow.start('validatedFlow', { taskQueue, workflowId: uniqueName('bypass'), args: [{ count: 'x' }] });
    await assert.rejects(handle.result(), WorkflowFailedError);
    const run = (await client.getRun(handle.workflowId))!;
    assert.equal(run.status, 'failed');
    assert.equal(run.failure!.type, 'InvalidParameters');
    assert.match(run.failure!.message, /^Invalid parameters for flow validatedFlow: count: .*; name: /);
    assert.ok(run.historyLength <= 6, `failed on the first workflow task (history length ${run.historyLength})`);
  });

  it('fill declared defaults', async () => {
    const ref = await client.start('validatedFlow', { count: 2, name: 'n' });
    assert.equal(await client.waitForResult(ref), 'n:2:fast');
  });

  it('name an unknown flow', async () => {
    await assert.rejects(client.start('noSuchFlow', {}), UnknownFlowError);
  });
});

describe('logs', () => {
  it('land in the store with the run, task and attempt of each line, console prints included', async () => {
    const ref = await client.start('chattyFlow', { n: 7 }, { startedBy: 'user:test@example.org' });
    assert.equal(await client.waitForResult(ref), 7);
    const logs = await eventually(async () => {
      const rows = await store.readLogs({ runId: ref.runId });
      return rows.length >= 6 && rows;
    }, 15_000, 'six log lines');
    const byMessage = new Map(logs.map((l) => [l.message, l]));
    for (const l of logs) {
      assert.equal(l.workflowId, ref.workflowId);
      assert.equal(l.runId, ref.runId);
      assert.equal(l.flow, 'chattyFlow');
    }
    assert.deepEqual(pick(byMessage.get('flow line')), { level: 'info', task: null, attempt: null, fields: { n: 7 } });
    assert.deepEqual(pick(byMessage.get('task line')), { level: 'info', task: 'chatty', attempt: 1, fields: { n: 7 } });
    assert.deepEqual(pick(byMessage.get('printed line 7')), { level: 'info', task: 'chatty', attempt: 1, fields: { source: 'console' } });
    assert.deepEqual(pick(byMessage.get('flow print 7 {"n":7}')), { level: 'info', task: null, attempt: null, fields: { source: 'console' } });
    assert.equal(byMessage.get('careful now')?.level, 'warn');
    assert.equal(byMessage.get('flow says goodbye')?.level, 'error');
    assert.deepEqual(logs.map((l) => l.id), [...logs.map((l) => l.id)].sort((a, b) => a - b));
  });

  it('record every failed attempt of a task', async () => {
    const ref = await client.start('flakyFlow', {});
    await client.waitForResult(ref);
    const failures = await eventually(async () => {
      const rows = (await store.readLogs({ runId: ref.runId, minLevel: 'warn' })).filter((l) => l.task === 'failsTwice');
      return rows.length >= 2 && rows;
    }, 15_000, 'two failed attempts in the logs');
    assert.deepEqual(failures.map((l) => l.attempt), [1, 2]);
  });
});

describe('runs list', () => {
  it('filters by flow and by who started the run', async () => {
    const ref = await client.start('validatedFlow', { count: 1, name: 'listed' }, { startedBy: 'token:list-test' });
    await client.waitForResult(ref);
    const page = await eventually(async () => {
      const p = await client.listRuns({ startedBy: 'token:list-test' });
      return p.runs.length === 1 && p;
    }, 15_000, 'the run in the list');
    assert.equal(page.runs[0]!.workflowId, ref.workflowId);
    assert.equal(page.runs[0]!.flow, 'validatedFlow');
    assert.equal(page.runs[0]!.status, 'completed');
    const byFlow = await client.listRuns({ flow: 'validatedFlow', status: 'completed' });
    assert.ok(byFlow.runs.every((r) => r.flow === 'validatedFlow' && r.status === 'completed'));
  });

  it('counts runs per status, cancelled and failed included', async () => {
    // Other test files run slowFlow on the same server: count only this test's run, by who started it.
    const startedBy = uniqueName('token:count');
    const ref = await client.start('slowFlow', { ms: 60_000 }, { startedBy });
    await client.cancelRun(ref);
    await assert.rejects(client.waitForResult(ref), RunFailedError);
    const counts = await eventually(async () => {
      const c = await client.countRuns({ flow: 'slowFlow', startedBy });
      return c.byStatus.cancelled === 1 && c;
    }, 15_000, 'the cancelled run counted');
    assert.deepEqual(counts, { total: 1, byStatus: { cancelled: 1 } });
    const broken = await client.countRuns({ flow: 'brokenFlow' });
    assert.ok((broken.byStatus.failed ?? 0) >= 1);
    assert.equal(broken.byStatus.running, undefined);
    assert.equal((await client.countRuns({ flow: 'brokenFlow', status: 'failed' })).total, broken.byStatus.failed);
  });
});

function pick(l: { level: string; task?: string | null; attempt?: number | null; fields?: unknown } | undefined) {
  assert.ok(l, 'log line missing');
  return { level: l.level, task: l.task, attempt: l.attempt, fields: l.fields };
}
