// A burst: 2,000 runs failing at once while two notifiers — two web app replicas — share one PostgreSQL store,
// both ticking every half second with a short lease, against the suite's Temporal, a worker, and real SMTP and
// HTTP receivers. One message per rule and channel must come out, holding every run: none twice, none empty.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { SluiceClient } from 'sluice/client';
import { listDeliveries, Notifier, type NotifierOptions, type NotifyRule } from 'sluice/internal/notify';
import { eventually } from '../harness/eventually';
import { createTestDatabase, type TestDatabase } from '../harness/postgres';
import { startHttpReceiver, startSmtpReceiver } from '../harness/receivers';
import { FIXTURES, testClient } from '../harness/sluice';
import { uniqueName } from '../harness/temporal';
import { startWorker, type TestWorker } from '../harness/worker';

const RUNS = 2_000;
/** Runs started at once: enough to make it a burst, few enough not to swamp two cores. */
const STARTS_AT_ONCE = 32;
const RULES: NotifyRule[] = [{ on: ['failed'], channels: ['mailto:ops@example.org', 'hooks'] }];

let db: TestDatabase;
let worker: TestWorker;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let http: Awaited<ReturnType<typeof startHttpReceiver>>;
const replicas: { client: SluiceClient; close: () => Promise<void>; notifier: Notifier }[] = [];
let taskQueue: string;

before(async () => {
  [smtp, http, db] = await Promise.all([startSmtpReceiver(), startHttpReceiver(), createTestDatabase('notify_burst')]);
  taskQueue = uniqueName('burst');
  worker = await startWorker({ taskQueue, storeUrl: db.url, ...FIXTURES, env: { SLUICE_FIXTURE_NOTIFY_BURST: JSON.stringify(RULES) } });
  for (let i = 0; i < 2; i++) {
    const { client, close } = await testClient(db.url);
    const options: NotifierOptions = {
      client,
      channels: [{ name: 'hooks', kind: 'webhook', target: http.url(), secret: 'burst-secret' }],
      mail: { smtpUrl: smtp.url, from: 'sluice@example.org' },
      publicUrl: 'https://sluice.example.org',
      secrets: null,
      allowLocalWebhooks: true, // the receivers are on loopback
      intervalMs: 500,
      // Short, so a replica stalled on a busy machine loses it while the other goes on.
      leaseMs: 2_000,
      // The burst's runs close over a minute or so: one message once it has been quiet for 15 s.
      groupWindowMs: 15_000,
      retryBaseMs: 200,
      retryMaxMs: 1_000,
    };
    replicas.push({ client, close, notifier: new Notifier(options) });
  }
});
after(async () => {
  for (const r of replicas) await r.notifier.stop();
  for (const r of replicas) await r.close();
  await worker?.stop();
  await db?.drop();
  await smtp?.close();
  await http?.close();
});

// 2,000 runs take the worker two to five minutes on two busy cores (more than the suite's 10 minutes per test
// would allow at the worst): this test has 20.
it(`tells about ${RUNS} runs failing at once in one message per channel, with two notifiers sharing the store`, { timeout: 20 * 60_000 }, async (t) => {
  const began = Date.now();
  for (const r of replicas) r.notifier.start();
  const client = replicas[0]!.client;
  const runIds: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: STARTS_AT_ONCE }, async () => {
      while (next < RUNS) {
        next++;
        runIds.push((await client.start('burstFlow', {}, { startedBy: 'schedule:burstFlow:hourly' })).runId);
      }
    }),
  );
  const startedIn = Date.now() - began;
  const query = `WorkflowType = "burstFlow" AND TaskQueue = "${taskQueue}" AND ExecutionStatus = "Failed"`;
  await eventually(async () => (await client.temporal.workflow.count(query)).count === RUNS, 15 * 60_000, `all ${RUNS} runs failed`);
  const failedIn = Date.now() - began;

  const burstPosts = () => http.posts.filter((p) => p.json.events.some((e: { flow: string }) => e.flow === 'burstFlow'));
  const burstMails = () => smtp.mails.filter((m) => m.raw.includes('burstFlow'));
  await eventually(() => burstPosts().length >= 1 && burstMails().length >= 1, 180_000, 'the burst\'s webhook and e-mail');
  const toldIn = Date.now() - began;
  // Both replicas tick a few more rounds: nothing more may go out.
  for (let i = 0; i < 3; i++) await Promise.all(replicas.map((r) => r.notifier.tick()));

  const posts = burstPosts();
  assert.equal(posts.length, 1, `one webhook for the burst, got ${posts.map((p) => p.json.subject).join(' | ')}`);
  const told = posts[0]!.json.events.map((e: { runId: string }) => e.runId) as string[];
  assert.equal(told.length, RUNS);
  assert.deepEqual(new Set(told), new Set(runIds), 'every run of the burst, each once');
  assert.equal(posts[0]!.json.subject, `Sluice: ${RUNS} runs of burstFlow failed`);
  const mails = burstMails();
  assert.equal(mails.length, 1, 'one e-mail for the burst');
  assert.match(mails[0]!.raw, new RegExp(`Subject: Sluice: ${RUNS} runs of burstFlow failed`));
  assert.match(mails[0]!.raw, new RegExp(`and ${RUNS - 20} more`));
  for (const p of http.posts) assert.ok(p.json.events.length > 0, `no empty message: ${p.json.subject}`);

  const deliveries = await listDeliveries(replicas[0]!.client.store.db, { limit: 1_000 });
  assert.deepEqual(
    deliveries.map((d) => [d.channel, d.status, d.eventCount]).sort(),
    [['hooks', 'sent', RUNS], ['mailto:ops@example.org', 'sent', RUNS]],
    'two deliveries, both sent, none without events',
  );
  t.diagnostic(`${RUNS} runs started in ${(startedIn / 1000).toFixed(0)} s, all failed after ${(failedIn / 1000).toFixed(0)} s, both messages out after ${(toldIn / 1000).toFixed(0)} s`);
});
