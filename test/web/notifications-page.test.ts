// The Notifications page and Home against the real web app: its own notifier (started by instrumentation.ts)
// tells a failed run to a webhook on loopback; the presenter and the page list the deliveries, stored channels
// are listed without their URL; a delivery that cannot reach its channel shows on Home.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { SluiceClient } from 'sluice/client';
import { addAdminRule, addChannel, notifierSettingsFromEnv, SecretBox, verifySignature } from 'sluice/internal/notify';
import type { Store } from 'sluice/internal/store';
import { getNotifications } from '../../web/lib/notifications-presenter';
import { eventually } from '../harness/eventually';
import { startHttpReceiver } from '../harness/receivers';
import { FIXTURES, sqliteStoreUrl, testClient } from '../harness/sluice';
import { uniqueName } from '../harness/temporal';
import { startWorker, type TestWorker } from '../harness/worker';
import type { Browser } from 'playwright-core';
import { launchBrowser, loggedInContext, pageOutcome, startWebApp, type WebApp } from './harness';

const KEY = 'notifications-page-test-key-0123456789';
const SLACK_URL = 'https://hooks.slack.com/services/T000/B000/XOXSECRETTOKEN';
let http: Awaited<ReturnType<typeof startHttpReceiver>>;
let app: WebApp;
let worker: TestWorker;
let client: SluiceClient;
let store: Store;
let close: () => Promise<void>;
let env: Record<string, string>;
let browser: Browser;

before(async () => {
  http = await startHttpReceiver();
  const storeUrl = sqliteStoreUrl('notifications-page');
  // The receiver is on loopback, where webhooks go only when allowed.
  env = { SLUICE_SECRET_KEY: KEY, SLUICE_CHANNEL_HOOKS: `webhook:${http.url()}`, SLUICE_CHANNEL_HOOKS_SECRET: 'page-test-secret', SLUICE_WEBHOOK_ALLOW_LOCAL: 'true' };
  app = await startWebApp({ storeUrl, env });
  worker = await startWorker({ taskQueue: uniqueName('notify-page'), storeUrl, ...FIXTURES, env: { SLUICE_FIXTURE_NOTIFY: JSON.stringify([{ channels: ['hooks'] }]) } });
  ({ client, store, close } = await testClient(storeUrl));
  browser = await launchBrowser();
  // A rule whose channel exists nowhere: its deliveries fail, and Home says so.
  await addAdminRule(store.db, { flow: 'gaugeFlow', deployment: null, events: ['failed'], channels: ['nowhere'], longerThanMs: null, lateAfterMs: null, createdBy: 'admin@sluice.test' });
  await addChannel(store.db, new SecretBox(KEY), { name: 'team-slack', kind: 'slack', target: SLACK_URL });
});
after(async () => {
  await browser?.close();
  await close?.();
  await worker?.stop();
  await app?.stop();
  await http?.close();
});

test("the web app's own notifier tells a failed run, and the page lists the delivery", async () => {
  const ref = await client.start('gaugeFlow', { fail: true }, { startedBy: 'user:olga@sluice.test' });
  await assert.rejects(client.waitForResult(ref));
  const post = await eventually(() => http.posts.find((p) => p.json.events.some((e: { runId: string }) => e.runId === ref.runId)), 90_000, 'the webhook from the web app');
  assert.ok(verifySignature(String(post.headers['x-sluice-signature']), post.body, 'page-test-secret'), 'signed with the channel secret, just now');
  assert.equal(post.json.events[0].url, `${app.baseUrl}/runs/${encodeURIComponent(ref.workflowId)}/${encodeURIComponent(ref.runId)}`, 'links use NEXTAUTH_URL');

  const view = await eventually(async () => {
    const v = await getNotifications(store.db, notifierSettingsFromEnv(env), true);
    // The receiver has the POST a moment before the delivery is marked sent.
    const settled = v.deliveries.some((d) => d.channel === 'nowhere' && d.status === 'retrying') && v.deliveries.some((d) => d.channel === 'hooks' && d.status === 'sent');
    return settled && v;
  }, 60_000, 'the sent and the failed delivery');
  const sent = view.deliveries.find((d) => d.channel === 'hooks')!;
  assert.equal(sent.status, 'sent');
  assert.deepEqual(sent.runs.map((r) => r.runId), [ref.runId]);
  const failing = view.deliveries.find((d) => d.channel === 'nowhere')!;
  assert.match(failing.lastError!, /No channel named nowhere/);
  assert.deepEqual(view.channels.map((c) => `${c.name}:${c.source}`).sort(), ['hooks:environment', 'team-slack:stored']);
  assert.ok(!JSON.stringify(view).includes('XOXSECRETTOKEN'), 'the presenter never reads a stored URL back');

  const page = await pageOutcome(await app.fetch('/admin/notifications', { as: 'admin' }));
  assert.equal(page.outcome, 'ok');
  assert.ok(page.body.includes(sent.subject.replace(/&/g, '&amp;')), 'the page lists the sent delivery');
  assert.ok(page.body.includes('No channel named nowhere'), 'and the failed one with its error');
  assert.ok(page.body.includes('team-slack'));
  assert.ok(!page.body.includes('XOXSECRETTOKEN') && !page.body.includes('page-test-secret'), 'no channel URL or secret in the page');
  for (const role of ['viewer', 'operator'] as const) {
    assert.equal((await pageOutcome(await app.fetch('/admin/notifications', { as: role }))).outcome, 'forbidden');
  }

  const home = await pageOutcome(await app.fetch('/', { as: 'viewer' }));
  const text = home.body.replace(/<!-- -->/g, ''); // React's markers between text parts
  assert.ok(text.includes('Needs attention'));
  // Failures count across the namespace: the suite's other files leave failed runs on the shared server.
  assert.match(text, /\d+ (or more )?runs? failed in the last 7 days/);
  assert.match(text, /1 notification could not be delivered/);
});

test('an admin adds a channel and a rule in the browser; the URL is never shown back; mistakes are explained', async () => {
  const context = await loggedInContext(browser, app, 'admin');
  try {
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/admin/notifications`);
    const channel = page.getByTestId('create-channel');
    await channel.getByLabel('Name').fill('Ops-Teams');
    await channel.getByLabel('Kind').selectOption('teams');
    await channel.getByLabel('Addresses or webhook URL').fill('https://example.webhook.office.com/webhookb2/TEAMSSECRETPATH');
    await channel.getByRole('button', { name: 'Add channel' }).click();
    await page.getByRole('status').filter({ hasText: 'Added the channel ops-teams (teams)' }).waitFor();
    await page.reload();
    await page.getByTestId('channels').getByText('ops-teams').waitFor();
    assert.ok(!(await page.content()).includes('TEAMSSECRETPATH'), 'the URL is not in the page');

    const rule = page.getByTestId('create-rule');
    await rule.getByLabel('Flow').selectOption('gaugeFlow');
    await rule.getByLabel('Channels').fill('ops-teams');
    await rule.getByLabel('long running').check();
    await rule.getByRole('button', { name: 'Add rule' }).click();
    await rule.getByText('Running longer than needs a limit, e.g. 2h.').waitFor();
    await rule.getByLabel('Running longer than').fill('2h');
    await rule.getByLabel('long running').check();
    await rule.getByRole('button', { name: 'Add rule' }).click();
    await page.getByRole('status').filter({ hasText: 'of gaugeFlow → ops-teams' }).waitFor();
    await page.reload();
    await page.getByTestId('rules').getByText('longer than 2 h').waitFor();
  } finally {
    await context.close();
  }
});
