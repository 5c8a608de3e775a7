// A flow waits for a person (ask()): against a real worker and the suite's Temporal server. The answer goes
// through the client (the web app's path), is checked by the flow's schema, survives a worker restart, and the
// people a rule names are told through a real HTTP receiver.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvalidAnswerError, NotWaitingError, RunFailedError, SluiceClient, type RunRef } from 'sluice/client';
import { startDevServer } from 'sluice/internal/dev';
import { Notifier, SecretBox } from 'sluice/internal/notify';
import { openStore, type Store } from 'sluice/internal/store';
import { freshTmpDir } from '../harness/env';
import { eventually } from '../harness/eventually';
import { startHttpReceiver } from '../harness/receivers';
import { FIXTURES, sqliteStoreUrl, testClient } from '../harness/sluice';
import { uniqueName } from '../harness/temporal';
import { startWorker, type TestWorker } from '../harness/worker';

const PUBLIC_URL = 'https://sluice.example.org';

describe('ask(): a flow waits for a person', () => {
  let worker: TestWorker;
  let client: SluiceClient;
  let store: Store;
  let close: () => Promise<void>;
  let http: Awaited<ReturnType<typeof startHttpReceiver>>;
  let taskQueue: string;
  let storeUrl: string;
  const env = { SLUICE_FIXTURE_ASK_NOTIFY: JSON.stringify([{ on: ['asked'], channels: ['approvers'] }]) };

  /** Starts askingFlow and waits until the runs list shows it waiting, with its question open. */
  const startWaiting = async (parameters: Record<string, unknown> = {}): Promise<RunRef> => {
    const ref = await client.start('askingFlow', parameters, { startedBy: 'user:starter@example.org' });
    await eventually(async () => {
      const { runs } = await client.listRuns({ flow: 'askingFlow', waitingForInput: true }, { pageSize: 100 });
      return runs.some((r) => r.runId === ref.runId && r.waitingForInput);
    }, 20_000, 'the run listed as waiting for input');
    return ref;
  };

  before(async () => {
    http = await startHttpReceiver();
    storeUrl = sqliteStoreUrl('ask');
    taskQueue = uniqueName('ask');
    worker = await startWorker({ taskQueue, storeUrl, ...FIXTURES, env });
    ({ client, store, close } = await testClient(storeUrl));
  });
  after(async () => {
    await close?.();
    await worker?.stop();
    await http?.close();
  });

  it('shows the open question, refuses an answer its schema refuses, and continues with a good one', async () => {
    const ref = await startWaiting();
    const asked = await client.getQuestions(ref.workflowId, ref.runId);
    const open = asked?.questions.find((q) => q.status === 'open');
    assert.equal(open?.question, 'How many anomalies should be loaded?');
    assert.equal(open?.about, '12 readings above 80 mm/h at Eelde');
    assert.deepEqual(Object.keys((open?.schema as { properties: object }).properties), ['count', 'note']);

    await assert.rejects(client.answer(ref, { value: { count: 0 }, by: 'user:ann@example.org' }), (e: unknown) => {
      assert.ok(e instanceof InvalidAnswerError, String(e));
      assert.deepEqual(e.issues.map((i) => i.path), ['count']);
      assert.match(e.message, /count: Too small/);
      return true;
    });
    assert.equal((await client.getQuestions(ref.workflowId))?.questions[0]?.status, 'open', 'a refused answer changes nothing');

    const answered = await client.answer({ workflowId: ref.workflowId }, { value: { count: 7, note: 'the rest is noise' }, by: 'user:ann@example.org' });
    assert.equal(answered.status, 'answered');
    assert.deepEqual(await client.waitForResult(ref), { count: 7, note: 'the rest is noise', by: 'user:ann@example.org', defaulted: false, now: null });

    const run = await client.getRun(ref.workflowId, ref.runId);
    assert.equal(run?.questions[0]?.answeredBy, 'user:ann@example.org');
    assert.deepEqual(run?.questions[0]?.answer, { count: 7, note: 'the rest is noise' });
    assert.ok(Date.parse(run!.questions[0]!.answeredAt!) >= Date.parse(run!.questions[0]!.askedAt));
    assert.equal(run?.waitingForInput, undefined, 'a completed run waits for nothing');
    // The history keeps the answer and who gave it: the Update's arguments.
    const history = await client.temporal.workflow.getHandle(ref.workflowId, ref.runId).fetchHistory();
    const accepted = history.events?.find((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    const args = accepted?.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.args?.payloads?.[0]?.data;
    assert.deepEqual(JSON.parse(Buffer.from(args!).toString()), { value: { count: 7, note: 'the rest is noise' }, by: 'user:ann@example.org' });

    await assert.rejects(client.answer(ref, { value: { count: 3 }, by: 'user:bob@example.org' }), NotWaitingError, 'an ended run takes no answer');
  });

  it('without an answer in time, the default wins; without a default the run fails saying so', async () => {
    const defaulted = await client.start('askingFlow', { timeout: '2s', withDefault: true });
    assert.deepEqual(await client.waitForResult(defaulted), { count: 5, note: null, by: null, defaulted: true, now: null });
    assert.equal((await client.getRun(defaulted.workflowId))?.questions[0]?.status, 'defaulted');

    const unanswered = await client.start('askingFlow', { timeout: '2s' });
    await assert.rejects(client.waitForResult(unanswered), (e: unknown) => {
      assert.ok(e instanceof RunFailedError);
      assert.match(e.message, /No answer to "How many anomalies should be loaded\?" within 2s/);
      return true;
    });
  });

  it('the wait survives a restart of the worker; then the answer is taken', async () => {
    const ref = await startWaiting({ twice: true });
    await worker.stop();
    worker = await startWorker({ taskQueue, storeUrl, ...FIXTURES, env });
    await client.answer(ref, { value: { count: 12 }, by: 'token:approver-bot' });
    // The second question is asked by the new worker, after replaying the first.
    await eventually(async () => (await client.getQuestions(ref.workflowId))?.questions[1]?.status === 'open', 20_000, 'the second question');
    await worker.kill9();
    worker = await startWorker({ taskQueue, storeUrl, ...FIXTURES, env });
    await client.answer(ref, { value: { now: true }, by: 'user:ann@example.org' });
    assert.deepEqual(await client.waitForResult(ref), { count: 12, note: null, by: 'token:approver-bot', defaulted: false, now: true });
  });

  it('tells the people a rule names, once per question, with a link to the run', async () => {
    const notifier = new Notifier({
      client,
      channels: [{ name: 'approvers', kind: 'webhook', target: http.url() }],
      mail: { smtpUrl: null, from: 'sluice@example.org' },
      publicUrl: PUBLIC_URL,
      secrets: new SecretBox('a-test-key-of-at-least-32-characters!'),
      allowLocalWebhooks: true,
      groupWindowMs: 0,
    });
    try {
      const ref = await startWaiting();
      const postsFor = () => http.posts.filter((p) => p.json.events.some((e: { runId: string }) => e.runId === ref.runId));
      await eventually(async () => (await notifier.tick(), postsFor().length === 1), 20_000, 'the webhook saying the run waits');
      for (let i = 0; i < 2; i++) await notifier.tick();
      assert.equal(postsFor().length, 1, 'told once');
      const event = postsFor()[0]!.json.events[0];
      assert.equal(event.event, 'asked');
      assert.match(postsFor()[0]!.json.subject, /askingFlow waits for your answer/);
      assert.match(event.note, /Asks: How many anomalies should be loaded\? \(about: 12 readings above 80 mm\/h at Eelde\)/);
      assert.equal(event.url, `${PUBLIC_URL}/runs/${encodeURIComponent(ref.workflowId)}/${encodeURIComponent(ref.runId)}`);
      await client.answer(ref, { value: { count: 1 }, by: 'user:ann@example.org' });
      await client.waitForResult(ref);
    } finally {
      await notifier.stop();
    }
  });

  it('the wait survives a restart of the Temporal server (its state in a database file), then the answer is taken', async () => {
    // A server of its own, which this test may stop; its own store and task queue, so the catalog above stays.
    const dbFile = join(freshTmpDir('ask-server'), 'temporal.db');
    const ownStoreUrl = sqliteStoreUrl('ask-server');
    const ownQueue = uniqueName('ask-restart');
    const ownStore = await openStore(ownStoreUrl, { migrate: true });
    let server = await startDevServer({ dbFile });
    const on = (address: string) => ({ taskQueue: ownQueue, storeUrl: ownStoreUrl, ...FIXTURES, env: { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'default' } });
    let ownWorker = await startWorker(on(server.address));
    let ownClient = await SluiceClient.connect({ address: server.address, namespace: 'default', store: ownStore });
    try {
      const ref = await ownClient.start('askingFlow', {});
      await eventually(async () => (await ownClient.getQuestions(ref.workflowId))?.questions[0]?.status === 'open', 20_000, 'the question');
      await ownWorker.stop();
      await ownClient.close();
      await server.stop();

      server = await startDevServer({ dbFile });
      ownClient = await SluiceClient.connect({ address: server.address, namespace: 'default', store: ownStore });
      assert.equal((await ownClient.getQuestions(ref.workflowId))?.questions[0]?.status, 'open', 'still asked after the restart');
      ownWorker = await startWorker(on(server.address));
      await ownClient.answer(ref, { value: { count: 4 }, by: 'user:ann@example.org' });
      assert.deepEqual(await ownClient.waitForResult(ref), { count: 4, note: null, by: 'user:ann@example.org', defaulted: false, now: null });
    } finally {
      await ownClient.close().catch(() => undefined); // closed already when the restart failed half-way
      await ownWorker.stop();
      await server.stop();
      await ownStore.close();
    }
  });
});
