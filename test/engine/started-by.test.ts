// Who started a run, as documented: a schedule is `schedule:FLOW:DEPLOYMENT`. Runs recorded by Sluice 0.3.0 say
// `schedule:FLOW.DEPLOYMENT`; they read as the documented form and a filter in either spelling finds both.
// On a real worker and Temporal server (the runs list is a visibility query).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SluiceClient } from 'sluice/client';
import { runQuery } from '../../sdk/src/client/visibility';
import { recordedStartedBy, scheduleStarter, startedByOf } from '../../sdk/src/run-attributes';
import { eventually } from '../harness/eventually';
import { FIXTURES, sqliteStoreUrl, testClient } from '../harness/sluice';
import { uniqueName } from '../harness/temporal';
import { startWorker, type TestWorker } from '../harness/worker';

describe('startedBy spellings (units)', () => {
  it('reads the old spelling of a schedule as the documented one, and leaves every other starter as it is', () => {
    assert.equal(scheduleStarter('rainfall', 'daily.v2'), 'schedule:rainfall:daily.v2');
    assert.equal(startedByOf('schedule:rainfall.daily.v2'), 'schedule:rainfall:daily.v2');
    assert.equal(startedByOf('schedule:rainfall:daily'), 'schedule:rainfall:daily');
    for (const other of ['user:ann@example.org', 'token:etl.nightly', 'client', 'script:nightly', 'schedule:odd']) assert.equal(startedByOf(other), other);
  });

  it('a filter on a schedule matches both spellings; any other filter only itself', () => {
    assert.deepEqual(recordedStartedBy('schedule:rainfall:daily'), ['schedule:rainfall:daily', 'schedule:rainfall.daily']);
    assert.deepEqual(recordedStartedBy('schedule:rainfall.daily'), ['schedule:rainfall:daily', 'schedule:rainfall.daily']);
    assert.deepEqual(recordedStartedBy('user:ann@example.org'), ['user:ann@example.org']);
    assert.ok(runQuery({ startedBy: 'token:a"b' }).split(' AND ').includes('SluiceStartedBy IN ("token:a\\"b")'), runQuery({ startedBy: 'token:a"b' }));
  });
});

describe('startedBy of recorded runs', () => {
  let worker: TestWorker;
  let client: SluiceClient;
  let close: () => Promise<void>;

  before(async () => {
    const storeUrl = sqliteStoreUrl('started-by');
    worker = await startWorker({ taskQueue: uniqueName('started-by'), storeUrl, ...FIXTURES });
    ({ client, close } = await testClient(storeUrl));
  });
  after(async () => {
    await close?.();
    await worker?.stop();
  });

  it('a run recorded with the old spelling reads as documented and is found by either spelling, with new runs of the same deployment', async () => {
    const deployment = uniqueName('daily');
    const old = await client.start('validatedFlow', { count: 1, name: 'old' }, { startedBy: `schedule:validatedFlow.${deployment}` });
    const current = await client.start('validatedFlow', { count: 1, name: 'new' }, { startedBy: scheduleStarter('validatedFlow', deployment) });
    await Promise.all([client.waitForResult(old), client.waitForResult(current)]);
    for (const filter of [`schedule:validatedFlow:${deployment}`, `schedule:validatedFlow.${deployment}`]) {
      const page = await eventually(async () => {
        const p = await client.listRuns({ startedBy: filter });
        return p.runs.length === 2 && p;
      }, 15_000, `both runs listed for ${filter}`);
      assert.deepEqual(page.runs.map((r) => r.workflowId).sort(), [old.workflowId, current.workflowId].sort());
      assert.deepEqual(page.runs.map((r) => r.startedBy), [`schedule:validatedFlow:${deployment}`, `schedule:validatedFlow:${deployment}`]);
      assert.equal((await client.countRuns({ startedBy: filter })).total, 2);
    }
    assert.equal((await client.getRun(old.workflowId, old.runId))!.startedBy, `schedule:validatedFlow:${deployment}`);
  });
});
