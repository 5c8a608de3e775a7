/**
 * Runs that start runs, against real parts: a worker publishes `reportDaily` whose deployments declare an `after`
 * trigger (on importDaily's success, mapping its result to parameters) and an `http` one. The notifier (ticks
 * driven here) starts the downstream run once, and nothing after a failed import; the web app (`next start`)
 * takes signed calls and refuses bad ones before starting anything; the flow page shows each trigger with its
 * firings and the run page says by what a run was started (Chromium).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import type { Browser, BrowserContext } from 'playwright-core';
import type { RunRef, SluiceClient } from 'sluice/client';
import { Notifier, signatureOf } from 'sluice/internal/notify';
import { deploymentProblems } from 'sluice/internal/worker';
import { eventually } from '../harness/eventually';
import { uniqueName } from '../harness/temporal';
import { loggedInContext, type WebApp } from './harness';
import { startBrowserStack, type BrowserStack } from './browser-stack';

const SECRET = 'a-trigger-secret-only-the-caller-knows';
const FIXTURES = {
  workflows: path.resolve(__dirname, '../fixtures/trigger-flows.ts'),
  activities: path.resolve(__dirname, '../fixtures/tasks.ts'),
};

let app: WebApp;
let browser: Browser;
let context: BrowserContext;
let client: SluiceClient;
let stack: BrowserStack;
let notifier: Notifier;
const since = new Date();

before(async () => {
  // The test drives the notifier's ticks itself; the app's own would race it.
  stack = await startBrowserStack({ taskQueue: uniqueName('triggers'), ...FIXTURES }, { env: { SLUICE_NOTIFIER: 'off', SLUICE_TRIGGER_SECRET_FILE_ARRIVED: SECRET } });
  ({ app, client, browser } = stack);
  notifier = new Notifier({ client, channels: [], mail: { smtpUrl: null, from: 'sluice@example.org' }, publicUrl: null, secrets: null, allowLocalWebhooks: false, since, overlapMs: 60_000 });
  context = await loggedInContext(browser, app, 'viewer');
});

after(async () => {
  await notifier?.stop();
  await stack?.stop();
});

const triggeredId = (upstream: RunRef) => `trigger-reportDaily.afterImport-${upstream.runId}`;

/** POST /api/triggers/<name> with `body` as it is sent, signed with `secret` at `at` (unix seconds) unless told otherwise. */
function call(name: string, body: string, sign: { secret?: string; at?: number; header?: string | null } = {}): Promise<Response> {
  const header = sign.header === undefined ? signatureOf(body, sign.secret ?? SECRET, sign.at) : sign.header;
  return app.fetch(`/api/triggers/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(header === null ? {} : { 'x-sluice-signature': header }) }, body });
}

describe('after another flow\'s run', () => {
  let failed: RunRef;
  let succeeded: RunRef;
  let downstream: RunRef;

  before(async () => {
    failed = await client.start('importDaily', { day: '2026-11-30', fail: true }, { startedBy: 'test:triggers' });
    await assert.rejects(client.waitForResult(failed));
    succeeded = await client.start('importDaily', { day: '2026-12-01' }, { startedBy: 'test:triggers' });
    await client.waitForResult(succeeded);
    let fired = 0;
    // Visibility lists a closed run shortly after it closes: tick until the tick has seen it.
    downstream = await eventually(async () => {
      fired += (await notifier.tick()).fired;
      const run = await client.getRunSummary(triggeredId(succeeded));
      return run && { workflowId: run.workflowId, runId: run.runId };
    }, 30_000, 'the run the trigger starts');
    assert.equal(fired, 1, 'one run started: the failed import starts none');
  });

  test('a successful run starts the deployment with the parameters mapped from its result, said to be started by it', async () => {
    assert.deepEqual(await client.waitForResult(downstream), { day: '2026-12-01', rows: 42, source: 'import' });
    const run = await client.getRun(downstream.workflowId, downstream.runId);
    assert.equal(run?.deployment, 'afterImport');
    assert.equal(run?.startedBy, `trigger:after:importDaily:${succeeded.workflowId}`);
  });

  test('a run seen again starts nothing more (the same run id is refused)', async () => {
    assert.equal((await notifier.tick()).fired, 0);
    assert.equal((await client.getRunSummary(triggeredId(succeeded)))?.runId, downstream.runId);
  });

  test('a failed run starts nothing when the trigger says on: success', async () => {
    assert.equal(await client.getRunSummary(triggeredId(failed)), undefined);
  });

  test('the flow page shows each trigger and its last firings; the run page says by what', async () => {
    const page = await context.newPage();
    await page.goto(new URL('/flows/reportDaily', app.baseUrl).toString());
    const triggers = page.locator('[data-testid="trigger"]');
    await assert.doesNotReject(triggers.first().waitFor());
    assert.equal(await triggers.count(), 2);
    const afterImport = triggers.filter({ hasText: 'after a successful run of importDaily' });
    assert.match(await afterImport.innerText(), /day ← result\.day, rows ← result\.output\.rows/);
    // Visibility lists the new run a moment later: reload until it is there.
    await eventually(async () => {
      await page.reload();
      return (await afterImport.locator('[data-testid="firing"]').count()) === 1;
    }, 15_000, 'the firing on the flow page');
    assert.match(await triggers.filter({ hasText: 'POST /api/triggers/file-arrived' }).innerText(), /SLUICE_TRIGGER_SECRET_FILE_ARRIVED[\s\S]*Not fired yet/);

    await afterImport.locator('[data-testid="firing"] a').click();
    await page.waitForURL(/\/runs\/trigger-reportDaily/);
    const startedBy = page.locator('[data-testid="started-by"]');
    assert.match(await startedBy.innerText(), /trigger: after importDaily \(run importDaily-/);
    await startedBy.locator('a').click();
    await page.waitForURL(new RegExp(`/runs/${succeeded.workflowId}`));
    await page.close();
  });
});

describe('a signed HTTP call', () => {
  const fired = async () => (await client.listRuns({ flow: 'reportDaily', startedBy: 'trigger:http:file-arrived' })).runs.length;

  test('a call signed with the secret starts the deployment with the body\'s parameters', async () => {
    const res = await call('file-arrived', JSON.stringify({ parameters: { day: '2026-12-02' } }));
    const body = (await res.json()) as { deployment: string; workflowId: string; runId: string; url: string };
    assert.equal(res.status, 201, JSON.stringify(body));
    assert.equal(body.deployment, 'onFile');
    assert.deepEqual(await client.waitForResult(body), { day: '2026-12-02', rows: 0, source: 'file' });
    assert.equal((await client.getRun(body.workflowId, body.runId))?.startedBy, 'trigger:http:file-arrived');
    await eventually(async () => (await fired()) === 1, 15_000, 'the run in the runs list');
  });

  test('a missing, wrong or old signature is refused with 401, and a bad body with 400/422; nothing starts', async () => {
    const good = JSON.stringify({ parameters: { day: '2026-12-03' } });
    const refusals: [string, Promise<Response>, number, RegExp][] = [
      ['no signature', call('file-arrived', good, { header: null }), 401, /Missing or bad signature/],
      ['another secret', call('file-arrived', good, { secret: 'not-the-secret' }), 401, /Missing or bad signature/],
      ['ten minutes old', call('file-arrived', good, { at: Math.floor(Date.now() / 1000) - 600 }), 401, /within 5 minutes/],
      ['a trigger with no secret set', call('nobody-declares-this', good), 401, /Missing or bad signature/],
      ['not JSON', call('file-arrived', '{"parameters":'), 400, /JSON/],
      ['an unknown field', call('file-arrived', JSON.stringify({ params: {} })), 400, /params/],
      ['parameters the flow refuses', call('file-arrived', JSON.stringify({ parameters: { day: 5 } })), 422, /day/],
    ];
    for (const [what, response, status, message] of refusals) {
      const res = await response;
      const text = await res.text();
      assert.equal(res.status, status, `${what}: ${text}`);
      assert.match(text, message, what);
      assert.ok(!/\n\s+at /.test(text), `${what}: no stack trace`);
    }
    // One more good call: once visibility lists its run, it lists any the refused calls (made before) had started.
    assert.equal((await call('file-arrived', JSON.stringify({ parameters: { day: '2026-12-04' } }))).status, 201);
    await eventually(async () => (await fired()) >= 2, 15_000, 'the last call\'s run in the runs list');
    assert.equal(await fired(), 2, 'the refused calls started nothing');
  });

  test('a call sent again with the same idempotencyKey starts nothing and answers with the first run; a bad key is refused by name', async () => {
    const key = `readings-${Date.now()}.csv`;
    const body = JSON.stringify({ parameters: { day: '2026-12-05' }, idempotencyKey: key });
    const first = await call('file-arrived', body);
    const started = (await first.json()) as { workflowId: string; runId: string };
    assert.equal(first.status, 201, JSON.stringify(started));
    // The caller retries (say, after a timeout), signing again: the same run comes back.
    const again = await call('file-arrived', body);
    const same = (await again.json()) as { workflowId: string; runId: string };
    assert.equal(again.status, 200, JSON.stringify(same));
    assert.deepEqual([same.workflowId, same.runId], [started.workflowId, started.runId]);
    assert.deepEqual(await client.waitForResult(started), { day: '2026-12-05', rows: 0, source: 'file' });
    // Once the run has ended too: still the one run, not a second.
    const late = await call('file-arrived', body);
    assert.equal(late.status, 200);
    assert.equal(((await late.json()) as { runId: string }).runId, started.runId);

    const bad = await call('file-arrived', JSON.stringify({ parameters: { day: '2026-12-05' }, idempotencyKey: 'a key with spaces' }));
    const text = await bad.text();
    assert.equal(bad.status, 400, text);
    assert.match(text, /idempotencyKey/);
  });
});

test('a worker refuses a trigger declared wrong, saying where and what; a parameter every after trigger maps need not be declared', () => {
  const schema = z.object({ day: z.string(), source: z.string() });
  const problems = deploymentProblems('reportDaily', schema, [
    { name: 'mapped', parameters: { source: 'import' }, triggers: [{ after: 'importDaily', parameters: { day: 'day' } }] },
    { name: 'sourceMissing', parameters: { day: 'today' }, triggers: [{ after: 'importDaily', parameters: { day: 'day' } }] },
    { name: 'both', parameters: { day: 'today', source: 'x' }, triggers: [{ after: 'importDaily', http: 'file-arrived' }] },
    { name: 'badOn', parameters: { day: 'today', source: 'x' }, triggers: [{ after: 'importDaily', on: 'failure' as never, parameters: { day: 'result..day' } }] },
  ]);
  assert.deepEqual(problems, [
    'flow reportDaily, deployment "sourceMissing": Invalid parameters for flow reportDaily: source: Invalid input: expected string, received undefined (as stored in the schedule, after JSON)',
    'flow reportDaily, deployment "both", trigger 1: declare either after (a flow name) or http (a trigger name), not both or neither',
    'flow reportDaily, deployment "badOn", trigger 1: unknown on "failure" (use \'success\' or \'any\')',
    'flow reportDaily, deployment "badOn", trigger 1: parameter day: "result..day" is not a result field (use e.g. \'day\' or \'output.path\')',
  ]);
});
