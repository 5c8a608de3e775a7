// "Did not start on time": a deployment every 2 s whose runs take 20 s, so Temporal skips the next start
// (overlap policy SKIP). The notifier compares the due time it remembered with the schedule's recent actions.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { SluiceClient } from 'sluice/client';
import { Notifier } from 'sluice/internal/notify';
import { scheduleIdOf } from 'sluice/internal/worker';
import { eventually } from '../harness/eventually';
import { startHttpReceiver } from '../harness/receivers';
import { FIXTURES, sqliteStoreUrl, testClient } from '../harness/sluice';
import { uniqueName } from '../harness/temporal';
import { startWorker, type TestWorker } from '../harness/worker';

const deployment = uniqueName('every2s');
let http: Awaited<ReturnType<typeof startHttpReceiver>>;
let worker: TestWorker;
let client: SluiceClient;
let close: () => Promise<void>;

before(async () => {
  http = await startHttpReceiver();
  const storeUrl = sqliteStoreUrl('notify-late');
  const declared = [{ name: deployment, interval: '2s', parameters: { fail: false, holdMs: 20_000 }, notify: [{ on: ['late'], channels: ['hooks'], lateAfter: '1s' }] }];
  worker = await startWorker({ taskQueue: uniqueName('late'), storeUrl, ...FIXTURES, env: { SLUICE_FIXTURE_NOTIFY_DEPLOYMENTS: JSON.stringify(declared) } });
  ({ client, close } = await testClient(storeUrl));
});
after(async () => {
  // The schedule would go on firing on the shared server.
  await client?.temporal.schedule.getHandle(scheduleIdOf('gaugeFlow', deployment)).delete().catch(() => undefined);
  await close?.();
  await worker?.stop();
  await http?.close();
});

it('tells that a scheduled run did not start on time, once per due time', async () => {
  const notifier = new Notifier({
    client,
    channels: [{ name: 'hooks', kind: 'webhook', target: http.url() }],
    mail: { smtpUrl: null, from: 'sluice@example.org' },
    publicUrl: 'https://sluice.example.org',
    secrets: null,
    allowLocalWebhooks: true, // the receiver is on loopback
    groupWindowMs: 0,
  });
  try {
    const post = await eventually(async () => (await notifier.tick(), http.posts.find((p) => p.json.events[0]?.event === 'late')), 30_000, 'a late message');
    const event = post.json.events[0];
    assert.equal(event.flow, 'gaugeFlow');
    assert.equal(event.deployment, deployment);
    assert.match(event.note, /^Due \S+, not started/);
    assert.equal(event.url, 'https://sluice.example.org/flows/gaugeFlow');
    const dues = http.posts.flatMap((p) => p.json.events.map((e: { note: string }) => e.note));
    assert.equal(new Set(dues).size, dues.length, 'each due time is told once');
  } finally {
    await notifier.stop();
  }
});
