// Failure notifications against real parts: a worker on the suite's Temporal server, the store (SQLite and
// PostgreSQL), an SMTP server and an HTTP receiver on loopback. The notifier's ticks are driven by the test.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { SluiceClient } from 'sluice/client';
import { addAdminRule, listDeliveries, listRules, Notifier, SecretBox, verifySignature, type NotifierOptions, type NotifyRule } from 'sluice/internal/notify';
import type { Store } from 'sluice/internal/store';
import { eventually } from '../harness/eventually';
import { createTestDatabase, type TestDatabase } from '../harness/postgres';
import { startHttpReceiver, startSmtpReceiver } from '../harness/receivers';
import { FIXTURES, sqliteStoreUrl, testClient } from '../harness/sluice';
import { uniqueName } from '../harness/temporal';
import { startWorker, type TestWorker } from '../harness/worker';

const HOOK_SECRET = 'a-webhook-signing-secret';
const PUBLIC_URL = 'https://sluice.example.org';
const RULES: NotifyRule[] = [{ on: ['failed', 'timed_out', 'recovered'], channels: ['mailto:team@example.org', 'hooks'] }];

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`notifications (${dialect} store)`, () => {
    let db: TestDatabase | undefined;
    let worker: TestWorker;
    let client: SluiceClient;
    let store: Store;
    let close: () => Promise<void>;
    let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
    let http: Awaited<ReturnType<typeof startHttpReceiver>>;
    let notifier: Notifier;
    let taskQueue: string;

    const options = (): NotifierOptions => ({
      client,
      channels: [{ name: 'hooks', kind: 'webhook', target: http.url(), secret: HOOK_SECRET }],
      mail: { smtpUrl: smtp.url, from: 'sluice@example.org' },
      publicUrl: PUBLIC_URL,
      secrets: new SecretBox('a-test-key-of-at-least-32-characters!'),
      allowLocalWebhooks: true, // the receiver is on loopback
      groupWindowMs: 0,
      retryBaseMs: 50,
      retryMaxMs: 200,
      overlapMs: 60_000,
    });
    const postsFor = (runId: string) => http.posts.filter((p) => p.json.events.some((e: { runId: string }) => e.runId === runId));
    const mailsFor = (runId: string) => smtp.mails.filter((m) => m.raw.includes(runId));
    const failRun = async (startedBy = 'user:ann@example.org') => {
      const ref = await client.start('gaugeFlow', { fail: true }, { startedBy });
      await assert.rejects(client.waitForResult(ref));
      // The worker ships log lines in batches: the message quotes them once they are in the store.
      await eventually(async () => (await store.readLogs({ runId: ref.runId })).some((l) => l.message.includes('empty rows')), 15_000, 'the run\'s log lines');
      return ref;
    };

    before(async () => {
      [smtp, http] = await Promise.all([startSmtpReceiver(), startHttpReceiver()]);
      if (dialect === 'postgres') db = await createTestDatabase('notify');
      const storeUrl = db?.url ?? sqliteStoreUrl('notify');
      taskQueue = uniqueName('notify');
      worker = await startWorker({ taskQueue, storeUrl, ...FIXTURES, env: { SLUICE_FIXTURE_NOTIFY: JSON.stringify(RULES) } });
      ({ client, store, close } = await testClient(storeUrl));
      notifier = new Notifier(options());
    });
    after(async () => {
      await notifier?.stop();
      await close?.();
      await worker?.stop();
      await db?.drop();
      await smtp?.close();
      await http?.close();
    });

    it('publishes the rules declared next to the flow in their own table', async () => {
      const rules = await listRules(store.db);
      const code = rules.filter((r) => r.source === 'code' && r.flow === 'gaugeFlow');
      assert.equal(code.length, 1);
      assert.deepEqual(code[0]!.channels, RULES[0]!.channels);
      assert.deepEqual(code[0]!.events, ['failed', 'recovered', 'timed_out']);
      const flow = await store.getFlow('gaugeFlow');
      assert.ok(!JSON.stringify(flow).includes('mailto:'), 'the flows table holds no rule');
    });

    it('a failed run produces exactly one e-mail and one signed webhook, saying what a reader needs', async () => {
      const ref = await failRun();
      await eventually(async () => (await notifier.tick(), postsFor(ref.runId).length === 1 && mailsFor(ref.runId).length === 1), 20_000, 'one e-mail and one webhook');
      for (let i = 0; i < 3; i++) await notifier.tick();
      assert.equal(postsFor(ref.runId).length, 1, 'the webhook came once');
      assert.equal(mailsFor(ref.runId).length, 1, 'the e-mail came once');

      const post = postsFor(ref.runId)[0]!;
      // As a receiver checks it (README): t=<unix seconds>,sha256=<HMAC-SHA256 of "<t>.<body>">, t recent.
      const [, t, mac] = /^t=(\d+),sha256=([0-9a-f]{64})$/.exec(String(post.headers['x-sluice-signature']))!;
      assert.equal(mac, createHmac('sha256', HOOK_SECRET).update(`${t}.${post.body}`).digest('hex'), 'HMAC-SHA256 of the time and the body with the channel secret');
      assert.ok(Math.abs(Date.now() / 1000 - Number(t)) < 120, 'signed when sent');
      assert.ok(verifySignature(String(post.headers['x-sluice-signature']), post.body, HOOK_SECRET));
      assert.ok(!verifySignature(String(post.headers['x-sluice-signature']), post.body, HOOK_SECRET, { now: (Number(t) + 301) * 1000 }), 'a replay after 5 minutes is refused');
      assert.ok(!verifySignature(String(post.headers['x-sluice-signature']), post.body.replace('gaugeFlow', 'gaugeFlew'), HOOK_SECRET), 'a changed body is refused');
      const event = post.json.events[0];
      assert.equal(event.event, 'failed');
      assert.equal(event.flow, 'gaugeFlow');
      assert.equal(event.startedBy, 'user:ann@example.org');
      assert.match(event.error, /gauge file is truncated at row 1207/);
      assert.equal(event.task, 'loadGauge');
      assert.ok(event.logTail.some((l: string) => l.includes('gauge file has 3 empty rows')), 'the failing task\'s last log lines');
      assert.equal(event.url, `${PUBLIC_URL}/runs/${encodeURIComponent(ref.workflowId)}/${encodeURIComponent(ref.runId)}`);

      const mail = mailsFor(ref.runId)[0]!;
      assert.deepEqual(mail.to, ['team@example.org']);
      assert.equal(mail.user, 'sluice', 'logged in to the SMTP server with the configured user');
      assert.match(mail.raw, /Subject: Sluice: gaugeFlow failed: gauge file is truncated/);
      for (const text of ['Started by: user:ann@example.org', 'Error in task loadGauge: gauge file is truncated at row 1207', 'gauge file has 3 empty rows', `Open: ${event.url}`]) {
        assert.ok(mail.raw.includes(text), `the e-mail says ${JSON.stringify(text)}:\n${mail.raw}`);
      }
      const sent = (await listDeliveries(store.db)).filter((d) => d.status === 'sent');
      assert.equal(sent.length, 2);
    });

    it('the first success after a failure is told as recovered', async () => {
      const ref = await client.start('gaugeFlow', { fail: false }, { startedBy: 'user:ann@example.org' });
      await client.waitForResult(ref);
      await eventually(async () => (await notifier.tick(), postsFor(ref.runId).length === 1 && mailsFor(ref.runId).length === 1), 20_000, 'the recovered messages');
      assert.equal(postsFor(ref.runId)[0]!.json.events[0].event, 'recovered');
      const again = await client.start('gaugeFlow', { fail: false });
      await client.waitForResult(again);
      for (let i = 0; i < 3; i++) await notifier.tick();
      assert.equal(postsFor(again.runId).length, 0, 'a second success is no news');
    });

    it('retries while the receiver is down, survives a restart of the notifier, and delivers once', async () => {
      await http.down();
      const ref = await failRun('token:etl-script');
      await eventually(async () => {
        await notifier.tick();
        const hook = (await listDeliveries(store.db)).find((d) => d.channel === 'hooks' && d.status === 'retrying');
        return hook && hook.attempts >= 2 && mailsFor(ref.runId).length === 1 && hook;
      }, 20_000, 'the webhook delivery retrying');
      const failing = (await listDeliveries(store.db)).find((d) => d.channel === 'hooks' && d.status === 'retrying')!;
      assert.match(failing.lastError ?? '', /POST to 127\.0\.0\.1:\d+ failed/);

      // The sender stops (a deploy, a crash after its lease); another process takes over from the store.
      await notifier.stop();
      notifier = new Notifier(options());
      await http.up();
      await eventually(async () => (await notifier.tick(), postsFor(ref.runId).length === 1), 20_000, 'the webhook after the receiver is back');
      for (let i = 0; i < 3; i++) await notifier.tick();
      assert.equal(postsFor(ref.runId).length, 1, 'delivered once');
      assert.equal(mailsFor(ref.runId).length, 1, 'the e-mail sent before the restart is not sent again');
      assert.equal((await listDeliveries(store.db)).find((d) => d.id === failing.id)?.status, 'sent');
    });

    it('groups a burst: 50 runs failing together make one message per rule and channel', async () => {
      const since = new Date();
      const refs = await Promise.all(Array.from({ length: 50 }, () => client.start('gaugeFlow', { fail: true }, { startedBy: 'schedule:gaugeFlow:hourly' })));
      await Promise.all(refs.map((r) => assert.rejects(client.waitForResult(r))));
      await eventually(async () => {
        const { runs } = await client.listRuns({ flow: 'gaugeFlow', status: 'failed', startedAfter: since }, { pageSize: 200 });
        return runs.filter((r) => r.taskQueue === taskQueue).length === 50;
      }, 30_000, 'visibility to list the 50 failed runs');
      const postsBefore = http.posts.length;
      const mailsBefore = smtp.mails.length;
      await eventually(async () => (await notifier.tick(), http.posts.length > postsBefore && smtp.mails.length > mailsBefore), 30_000, 'the burst messages');
      for (let i = 0; i < 2; i++) await notifier.tick();
      const posts = http.posts.slice(postsBefore);
      assert.equal(posts.length, 1, 'one webhook for the burst');
      assert.equal(smtp.mails.length - mailsBefore, 1, 'one e-mail for the burst');
      assert.equal(posts[0]!.json.events.length, 50);
      assert.match(posts[0]!.json.subject, /50 runs of gaugeFlow failed/);
      assert.match(smtp.mails.at(-1)!.raw, /and 30 more/);
    });

    it('tells about a run running longer than an admin\'s rule allows, once', async () => {
      await addAdminRule(store.db, { flow: 'slowFlow', deployment: null, events: ['long_running'], channels: ['hooks'], longerThanMs: 500, lateAfterMs: null, createdBy: 'admin@example.org' });
      const ref = await client.start('slowFlow', { ms: 4_000 });
      await eventually(async () => (await notifier.tick(), postsFor(ref.runId).length === 1), 20_000, 'the long-running message');
      assert.equal(postsFor(ref.runId)[0]!.json.events[0].event, 'long_running');
      await client.waitForResult(ref);
      for (let i = 0; i < 2; i++) await notifier.tick();
      assert.equal(postsFor(ref.runId).length, 1);
    });
  });
}
