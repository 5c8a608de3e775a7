/**
 * A run waiting for a person (ask() in its flow), on the real app (`next start`), the suite's Temporal, a real
 * worker and Debian's Chromium: the run page shows the question and a form drawn from its schema to an operator,
 * who answers it, and the run completes with the answer, recorded with who gave it; an answer the flow's schema
 * refuses comes back beside its field; a viewer reads the question with no form, and the API refuses a viewer's
 * answer (403), a bad one (400, with the issues) and one for a run that waits no more (409). The runs list and
 * the home page show the run as waiting. Screenshots of the pages go to SLUICE_SHOTS_DIR when it is set.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Question, RunRef, SluiceClient } from 'sluice/client';
import { eventually } from '../harness/eventually';
import { FIXTURES } from '../harness/sluice';
import { uniqueName } from '../harness/temporal';
import { loggedInContext, type WebApp } from './harness';
import { startBrowserStack, type BrowserStack } from './browser-stack';
import { axeViolations } from './page-checks';

let app: WebApp;
let browser: Browser;
let client: SluiceClient;
let stack: BrowserStack;

const SHOTS = process.env.SLUICE_SHOTS_DIR;
async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

before(async () => {
  stack = await startBrowserStack({ taskQueue: uniqueName('ask-web'), ...FIXTURES });
  ({ app, client, browser } = stack);
});

after(async () => {
  await stack?.stop();
});

/** Starts askingFlow and waits until its question is open. */
async function startWaiting(): Promise<RunRef> {
  const ref = await client.start('askingFlow', {}, { startedBy: 'test:ask' });
  await eventually(async () => (await client.getQuestions(ref.workflowId))?.questions[0]?.status === 'open', 20_000, 'the question to be asked');
  return ref;
}

const runPage = (ref: RunRef) => `${app.baseUrl}/runs/${encodeURIComponent(ref.workflowId)}/${encodeURIComponent(ref.runId)}`;

describe('a run waiting for input', () => {
  test('an operator answers the form on the run page; a refused answer shows beside its field; the run completes with the answer and who gave it', async () => {
    const ref = await startWaiting();
    const context = await loggedInContext(browser, app, 'operator');
    const page = await context.newPage();
    await page.goto(runPage(ref));
    const form = page.locator('[data-testid="answer-form"][data-ready]');
    await form.waitFor(); // hydrated: typed values stay
    const open = page.getByTestId('open-question');
    assert.match(await open.innerText(), /How many anomalies should be loaded\?/);
    assert.equal(await page.getByTestId('question-about').innerText(), 'About: 12 readings above 80 mm/h at Eelde');
    assert.equal(await page.locator('h1 [data-testid="waiting-for-input"]').count(), 1, 'the status says it waits');
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the waiting run page');
    await shot(page, 'waiting-run-operator');

    // The schema's minimum (1) refuses 0: the form says so beside the field, and nothing is sent.
    await form.locator('#field-count').fill('0');
    await form.getByRole('button', { name: 'Send answer' }).click();
    const error = form.locator('[data-field="count"] .error');
    await error.waitFor();
    assert.equal(await error.innerText(), "Must be at least 1.");
    assert.equal((await client.getQuestions(ref.workflowId))?.questions[0]?.status, 'open', 'the refused answer changed nothing');
    await shot(page, 'waiting-run-refused-answer');

    await form.locator('#field-count').fill('7');
    await form.locator('#field-note').fill('only the Eelde ones');
    await form.getByRole('button', { name: 'Send answer' }).click();
    const answered = page.locator('[data-testid="closed-questions"] [data-status="answered"]');
    await answered.waitFor({ timeout: 30_000 });
    assert.equal(await answered.getByTestId('answered-by').innerText(), app.users.operator.email);
    assert.deepEqual(await client.waitForResult(ref), { count: 7, note: 'only the Eelde ones', by: `user:${app.users.operator.email}`, defaulted: false, now: null });
    await page.locator('h1 [data-status="completed"]').waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId('answer-form').count(), 0, 'no form once answered');
    await shot(page, 'answered-run');
    await context.close();
  });

  test('a viewer reads the question with no form; the API shows it to the viewer and refuses the viewer\'s answer; a bad answer is 400, a late one 409', async () => {
    const ref = await startWaiting();
    const context = await loggedInContext(browser, app, 'viewer');
    const page = await context.newPage();
    await page.goto(runPage(ref));
    await page.getByTestId('answer-not-allowed').waitFor();
    assert.match(await page.getByTestId('open-question').innerText(), /How many anomalies should be loaded\?/);
    assert.equal(await page.getByTestId('answer-form').count(), 0, 'no form for a viewer');
    await shot(page, 'waiting-run-viewer');

    // The runs list, filtered to waiting runs, and the home page show it as waiting.
    await page.goto(`${app.baseUrl}/runs?waiting=input`);
    const row = page.locator(`tr[data-run="${ref.workflowId}"]`);
    await row.waitFor();
    assert.equal(await row.getByTestId('waiting-for-input').count(), 1);
    await shot(page, 'runs-list-waiting');
    await page.goto(`${app.baseUrl}/`);
    await page.locator(`tr[data-run="${ref.workflowId}"] [data-testid="waiting-for-input"]`).waitFor();
    await shot(page, 'home-waiting');
    await context.close();

    const url = `/api/runs/${encodeURIComponent(ref.workflowId)}/question`;
    const read = await app.fetch(url, { as: 'viewer' });
    assert.equal(read.status, 200);
    const body = (await read.json()) as { waiting: boolean; question: Question };
    assert.equal(body.waiting, true);
    assert.equal(body.question.question, 'How many anomalies should be loaded?');
    const listed = (await (await app.fetch('/api/runs?waiting=input', { as: 'viewer' })).json()) as { runs: { runId: string; waitingForInput?: boolean }[] };
    assert.equal(listed.runs.find((r) => r.runId === ref.runId)?.waitingForInput, true);

    const post = (as: 'viewer' | 'operator', answer: unknown) =>
      app.fetch(url, { as, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ answer }) });
    const refused = await post('viewer', { count: 3 });
    assert.equal(refused.status, 403, await refused.text());
    const bad = await post('operator', { count: 'many' });
    assert.equal(bad.status, 400);
    const badBody = (await bad.json()) as { error: { code: string; issues: { path: string }[] } };
    assert.equal(badBody.error.code, 'invalid_answer');
    assert.deepEqual(badBody.error.issues.map((i) => i.path), ['count']);
    assert.equal((await client.getQuestions(ref.workflowId))?.questions[0]?.status, 'open', 'neither the viewer nor the bad answer changed anything');

    const good = await post('operator', { count: 2 });
    assert.equal(good.status, 200, await good.clone().text());
    assert.equal(((await good.json()) as { question: Question }).question.answeredBy, `user:${app.users.operator.email}`);
    await client.waitForResult(ref);
    const late = await post('operator', { count: 3 });
    assert.equal(late.status, 409);
    assert.match(((await late.json()) as { error: { message: string } }).error.message, /waits for no answer now/);
  });
});
