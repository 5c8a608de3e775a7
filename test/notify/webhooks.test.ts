// How messages leave: sends run side by side, each within its timeout, so a receiver that hangs delays no
// other; a webhook follows no redirect; loopback and link-local targets are refused unless an admin allows
// them. Real HTTP and SMTP receivers on loopback, the notifier's outbox in a real store, ticks driven here.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SluiceClient } from 'sluice/client';
import { DeliveryError, listDeliveries, Notifier, notifierSettingsFromEnv, sendTestMessage, verifySignature, type EventDetail, type NotifierOptions } from 'sluice/internal/notify';
import type { Store } from 'sluice/internal/store';
import { recordEvents } from '../../sdk/src/notify/outbox';
import { eventually } from '../harness/eventually';
import { startHttpReceiver, startSmtpReceiver } from '../harness/receivers';
import { sqliteStoreUrl, testClient } from '../harness/sluice';

let client: SluiceClient;
let store: Store;
let close: () => Promise<void>;
const stops: (() => Promise<void>)[] = [];

before(async () => {
  ({ client, store, close } = await testClient(sqliteStoreUrl('webhooks')));
});
after(async () => {
  for (const stop of stops.reverse()) await stop();
  await close?.();
});

let runs = 0;
/** One failed run's event for each of `channels`, recorded as the notifier records them. */
async function failedRun(...channels: string[]): Promise<string> {
  const runId = `run-${++runs}`;
  const detail: EventDetail = {
    event: 'failed', flow: 'gaugeFlow', deployment: null, workflowId: `wf-${runId}`, runId, startedBy: 'user:ann@example.org',
    error: 'gauge file is truncated', task: null, logTail: [], startTime: null, closeTime: null, url: null, note: null,
  };
  await recordEvents(store.db, channels.map((channel) => ({ ruleKey: 'rule-1', channel, runKey: runId, detail })));
  return runId;
}

let current: Notifier | undefined;
/** A notifier of its own for each case; the last one stops first, releasing the lease in the store. */
async function notifier(options: Partial<NotifierOptions>): Promise<Notifier> {
  await current?.stop();
  const n = (current = new Notifier({
    client,
    channels: [],
    mail: { smtpUrl: null, from: 'sluice@example.org' },
    publicUrl: null,
    secrets: null,
    allowLocalWebhooks: false,
    groupWindowMs: 0,
    retryBaseMs: 60_000,
    ...options,
  }));
  stops.push(() => n.stop());
  return n;
}

const deliveryTo = async (channel: string) => (await listDeliveries(store.db)).find((d) => d.channel === channel);

describe('sends', () => {
  it('a receiver that never answers delays no other channel, and its send fails after the timeout', async () => {
    const hung = await startHttpReceiver(() => 'hang');
    const fine = await startHttpReceiver();
    const smtp = await startSmtpReceiver();
    stops.push(hung.close, fine.close, smtp.close);
    const n = await notifier({
      allowLocalWebhooks: true, // the receivers are on loopback
      sendTimeoutMs: 2_000,
      mail: { smtpUrl: smtp.url, from: 'sluice@example.org' },
      channels: [
        { name: 'hung', kind: 'webhook', target: hung.url() },
        { name: 'fine', kind: 'webhook', target: fine.url() },
      ],
    });
    // The hung channel's message is the oldest: sent one after the other, it would hold the others back.
    const runId = await failedRun('hung', 'fine', 'mailto:ops@example.org');
    let tickEnded = false;
    const tick = n.tick().finally(() => (tickEnded = true));
    await eventually(() => fine.posts.length === 1 && smtp.mails.length === 1, 10_000, 'the webhook and the e-mail');
    assert.equal(tickEnded, false, 'both arrived while the hung send was still waiting');
    assert.equal(hung.requests.length, 1, 'the hung receiver got the POST and holds it');
    const report = await tick;
    assert.deepEqual([report.sent, report.failed], [2, 1]);
    assert.equal(fine.posts[0]!.json.events[0].runId, runId);
    const failed = await deliveryTo('hung');
    assert.equal(failed?.status, 'retrying');
    assert.match(failed?.lastError ?? '', /^POST to 127\.0\.0\.1:\d+ failed: no answer within 2 s$/);
  });
});

describe('webhook targets', () => {
  it('a redirect is not followed: the POST fails saying so, and the place it points to gets nothing', async () => {
    const target = await startHttpReceiver();
    const redirecting = await startHttpReceiver(() => ({ status: 302, headers: { location: target.url('/elsewhere') } }));
    stops.push(target.close, redirecting.close);
    const n = await notifier({ allowLocalWebhooks: true, channels: [{ name: 'moved', kind: 'webhook', target: redirecting.url() }] });
    await failedRun('moved');
    const report = await n.tick();
    assert.equal(report.failed, 1);
    assert.equal(redirecting.posts.length, 1);
    assert.deepEqual(target.requests, [], 'no GET (nor POST) to where the redirect points');
    assert.match((await deliveryTo('moved'))?.lastError ?? '', /^POST to 127\.0\.0\.1:\d+ answered 302, a redirect to 127\.0\.0\.1:\d+: Sluice follows no redirect; give the channel the final URL$/);
  });

  it('loopback and link-local targets (by address or by name) are refused unless SLUICE_WEBHOOK_ALLOW_LOCAL=true', async () => {
    const local = await startHttpReceiver();
    stops.push(local.close);
    const port = local.port();
    const targets: Record<string, [string, RegExp]> = {
      loopback: [local.url(), /^127\.0\.0\.1 is a loopback address/],
      named: [`http://localhost:${port}/hook`, /^localhost is (127\.0\.0\.1|::1), a loopback address/],
      v6: [`http://[::1]:${port}/hook`, /^::1 is a loopback address/],
      mapped: [`http://[::ffff:127.0.0.1]:${port}/hook`, /^::ffff:7f00:1 is a loopback address/],
      metadata: ['http://169.254.169.254/latest/meta-data/', /^169\.254\.169\.254 is a link-local address/],
      'v6-link-local': ['http://[fe80::1]/hook', /^fe80::1 is a link-local address/],
    };
    const channels = Object.entries(targets).map(([name, [target]]) => ({ name, kind: 'webhook' as const, target }));
    const strict = await notifier({ channels });
    await failedRun(...Object.keys(targets));
    const report = await strict.tick();
    assert.equal(report.failed, Object.keys(targets).length);
    for (const [name, [, message]] of Object.entries(targets)) {
      const error = (await deliveryTo(name))?.lastError ?? '';
      assert.match(error, message, name);
      assert.match(error, /: Sluice sends no webhook there unless an admin sets SLUICE_WEBHOOK_ALLOW_LOCAL=true$/, name);
    }
    assert.deepEqual(local.requests, [], 'no connection was made');

    // The setting, as the web app reads it, lets the loopback receiver have its message.
    const allowed = await notifier({ ...notifierSettingsFromEnv({ SLUICE_WEBHOOK_ALLOW_LOCAL: 'true' }), channels });
    await store.db.updateTable('notification_deliveries').set({ next_attempt_at: Date.now() }).where('channel', '=', 'loopback').execute();
    await allowed.tick();
    assert.equal(local.posts.length, 1);
    assert.equal((await deliveryTo('loopback'))?.status, 'sent');
  });

  it('SLUICE_WEBHOOK_ALLOW_LOCAL takes true or false only', () => {
    assert.equal(notifierSettingsFromEnv({}).allowLocalWebhooks, false);
    assert.equal(notifierSettingsFromEnv({ SLUICE_WEBHOOK_ALLOW_LOCAL: 'false' }).allowLocalWebhooks, false);
    assert.throws(() => notifierSettingsFromEnv({ SLUICE_WEBHOOK_ALLOW_LOCAL: 'yes' }), /SLUICE_WEBHOOK_ALLOW_LOCAL="yes": use true .* or false/);
  });
});

describe('a test message (the Notifications page\'s Send test)', () => {
  it('goes through the channel as a real message would, or says why not', async () => {
    const http = await startHttpReceiver();
    stops.push(() => http.close());
    const settings = { channels: [{ name: 'ops', kind: 'webhook' as const, target: http.url('/ops'), secret: 's3cret' }], mail: { smtpUrl: null, from: 'sluice@example.org' }, secrets: null };

    await assert.rejects(sendTestMessage(store.db, { ...settings, allowLocalWebhooks: false }, 'ops', 'ann@example.org'), (e: Error) => e instanceof DeliveryError && /SLUICE_WEBHOOK_ALLOW_LOCAL=true$/.test(e.message));
    await assert.rejects(sendTestMessage(store.db, { ...settings, allowLocalWebhooks: true }, 'nobody', 'ann@example.org'), /^ChannelConfigError: No channel named nobody: add it on the Notifications page \(set SLUICE_SECRET_KEY first\)/);
    assert.equal(http.posts.length, 0);

    await sendTestMessage(store.db, { ...settings, allowLocalWebhooks: true }, 'ops', 'ann@example.org');
    const [post] = http.posts;
    assert.equal(post?.json.subject, 'Sluice: test message for channel ops');
    assert.match(post!.json.text, /^ann@example\.org sent this from Sluice's Notifications page/);
    assert.ok(verifySignature(post!.headers['x-sluice-signature'] as string, post!.body, 's3cret'), 'signed like any message');
  });
});
