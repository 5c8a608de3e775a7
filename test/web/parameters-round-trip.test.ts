/**
 * One schema from form to flow. A flow whose parameters hold every kind the schema checker allows
 * (test/fixtures/parameter-kinds.ts) returns what it received; each value is sent the ways a run really starts —
 * the run form in a real browser (form → server action → client → Temporal → the flow in the worker's sandbox),
 * the HTTP API, the client — and must arrive as the flow's own zod schema reads it in plain Node. Each wrong value
 * is refused by every one of those doors, naming its field, and by the flow itself; nothing refused starts a run.
 *
 * This is the test that catches a front door and the flow disagreeing (the form offering a date the flow then
 * refused: a bundler compiled `z.iso.date()` to `z.date()` inside the sandbox).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { InvalidParametersError } from 'sluice/client';
import { FIELD_KINDS, formFromSchema, type FormField, type SchemaForm } from '../../web/lib/json-schema-form';
import { KINDS_PARAMETERS } from '../fixtures/parameter-kinds';
import { eventually } from '../harness/eventually';
import { testClient } from '../harness/sluice';
import { uniqueName } from '../harness/temporal';
import { startWorker, type TestWorker } from '../harness/worker';
import { launchBrowser, loggedInContext, startWebApp, type WebApp } from './harness';

const FLOW = 'kindsEcho';
const taskQueue = uniqueName('kinds');

type Parameters = Record<keyof typeof KINDS_PARAMETERS.shape, unknown>;

/** A value for every parameter, none of them its default: what a user types, or a program sends. */
const GIVEN: Parameters = {
  day: '2026-03-31',
  at: '2026-03-31T23:15:00Z',
  clock: '23:15:00',
  contact: 'ops@water.example',
  id: '0b6c2f4e-8a1d-4b3c-9e7f-5a6b7c8d9e0f',
  source: 'https://data.example/rain.csv?station=260',
  station: 'Eelde',
  factor: 9.75,
  days: 366,
  dryRun: true,
  tags: ['daily', 'check'],
  levels: [0, 2.5],
  regions: ['north', 'south'],
  window: { from: '2026-02-28', hours: 6 },
  note: 'checked by hand',
  threshold: 0.25,
};

/** One wrong value per parameter: the flow's schema refuses each, and so must every door before a run starts. */
const WRONG: Parameters = {
  day: '2026-13-01',
  at: '2026-03-31 23:15',
  clock: '25:00:00',
  contact: 'not-an-address',
  id: 'not-a-uuid',
  source: 'not a url',
  station: 'Nowhere',
  factor: 10.5,
  days: 1.5,
  dryRun: 'yes',
  tags: [''],
  levels: [-1],
  regions: [],
  window: { from: '2026-13-01', hours: 6 },
  note: 'x'.repeat(41),
  threshold: 'high',
};

const names = Object.keys(KINDS_PARAMETERS.shape) as (keyof Parameters)[];
const only = (name: keyof Parameters, value: unknown) => ({ [name]: value });
/** What the flow returns, as its own schema reads the input in plain Node (JSON: no undefined fields). */
const expected = (input: unknown) => JSON.parse(JSON.stringify(KINDS_PARAMETERS.parse(input)));

let app: WebApp;
let worker: TestWorker;
let browser: Browser;
let operator: BrowserContext;
let sluice: Awaited<ReturnType<typeof testClient>>;
let form: SchemaForm;
/** Runs this file started as the operator (form and API); nothing else of this flow may be listed as theirs. */
const started: string[] = [];

before(async () => {
  app = await startWebApp();
  worker = await startWorker({
    taskQueue,
    storeUrl: app.storeUrl,
    workflows: path.join(__dirname, '../fixtures/parameter-kinds.ts'),
    activities: path.join(__dirname, 'pages-fixtures/tasks.ts'),
  });
  sluice = await testClient(app.storeUrl);
  browser = await launchBrowser();
  operator = await loggedInContext(browser, app, 'operator');
  // The form is drawn from the schema the worker published, as the run page draws it.
  const flows = (await (await app.fetch('/api/flows', { as: 'viewer' })).json()) as { flows: { name: string; parametersSchema: unknown }[] };
  const published = flows.flows.find((f) => f.name === FLOW);
  assert.ok(published, `${FLOW} is published`);
  form = formFromSchema(published.parametersSchema);
});

after(async () => {
  await browser?.close();
  await sluice?.close();
  await worker?.stop();
  await app?.stop();
});

/** The run's result once it has completed, read through the API as a program would. */
async function resultOf(workflowId: string, runId: string): Promise<unknown> {
  const run = await eventually(async () => {
    const res = await app.fetch(`/api/runs/${encodeURIComponent(workflowId)}?runId=${encodeURIComponent(runId)}`, { as: 'viewer' });
    const body = (await res.json()) as { status: string; result: unknown; failure?: { message: string } };
    if (body.status === 'failed') assert.fail(`the run failed: ${body.failure?.message}`);
    return body.status === 'completed' && body;
  }, 30_000, `run ${workflowId} to complete`);
  return run.result;
}

const field = (name: string): FormField => form.fields.find((f) => f.name === name)!;

/**
 * Sets a field's control as a user would. Returns false when the control cannot hold the value at all (a
 * checkbox cannot say "yes", a date picker takes no impossible date, a choice offers only its options).
 */
async function setControl(page: Page, f: FormField, value: unknown): Promise<boolean> {
  const control = page.locator(`#field-${f.name}`);
  switch (f.kind) {
    case 'boolean':
      if (typeof value !== 'boolean') return false;
      await control.setChecked(value);
      return true;
    case 'select':
      if (!f.options.some((o) => o.value === value)) return false;
      await control.selectOption(String(value));
      return true;
    case 'multiselect': {
      const chosen = (value as unknown[]).map(String);
      if (!chosen.every((v) => f.options.some((o) => o.value === v))) return false;
      for (const o of f.options) await page.locator(`[data-field="${f.name}"]`).getByLabel(o.label, { exact: true }).setChecked(chosen.includes(o.value));
      return true;
    }
    case 'date':
      if (!/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(String(value))) return false;
      await control.fill(String(value));
      return true;
    case 'list': // one item per line; blank lines are skipped, so an empty item cannot be typed
      if ((value as unknown[]).some((v) => String(v).trim() === '')) return false;
      await control.fill((value as unknown[]).map(String).join('\n'));
      return true;
    case 'json':
      await control.fill(JSON.stringify(value));
      return true;
    default:
      await control.fill(value === null ? '' : String(value));
      return true;
  }
}

/** The flow's run form, in a new page of the operator's. */
async function openForm(): Promise<Page> {
  const page = await operator.newPage();
  page.on('pageerror', (err) => assert.fail(`uncaught error in the page: ${err.message}`));
  await page.goto(`${app.baseUrl}/flows/${FLOW}/run`);
  await page.locator('[data-testid="run-form"][data-ready]').waitFor(); // hydrated: typed values stay
  return page;
}

/** Sets the given controls, presses Start run, and returns the run's result once it has completed. */
async function runFromForm(values: Partial<Parameters>): Promise<unknown> {
  const page = await openForm();
  for (const [name, value] of Object.entries(values)) assert.ok(await setControl(page, field(name), value), `the ${name} control takes ${JSON.stringify(value)}`);
  await page.getByRole('button', { name: 'Start run' }).click();
  await page.waitForURL(/\/runs\/[^/]+\/[^/?#]+$/, { timeout: 30_000 });
  const [workflowId, runId] = new URL(page.url()).pathname.split('/').slice(2).map(decodeURIComponent);
  await page.close();
  started.push(workflowId);
  return resultOf(workflowId, runId);
}

async function postRun(parameters: unknown): Promise<Response> {
  return app.fetch('/api/runs', { method: 'POST', as: 'operator', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ flow: FLOW, parameters }) });
}

describe('the fixture covers', () => {
  test('every kind of form field and every parameter, with a given and a wrong value each', () => {
    assert.deepEqual(new Set(form.fields.map((f) => f.kind)), new Set(FIELD_KINDS));
    assert.deepEqual(Object.keys(GIVEN).sort(), [...names].sort());
    assert.deepEqual(Object.keys(WRONG).sort(), [...names].sort());
    for (const name of names) {
      assert.ok(KINDS_PARAMETERS.shape[name].safeParse(GIVEN[name]).success, `${name}: the given value is valid`);
      assert.notDeepEqual(expected(only(name, GIVEN[name]))[name], expected({})[name], `${name}: the given value is not the default`);
      assert.ok(!KINDS_PARAMETERS.shape[name].safeParse(WRONG[name]).success, `${name}: the wrong value is wrong`);
    }
  });
});

describe('what the doors accept, the flow receives as its schema reads it', () => {
  test('the run form with exactly the defaults it shows', async () => {
    assert.deepEqual(await runFromForm({}), expected({}));
  });

  test('the run form with every field changed', async () => {
    assert.deepEqual(await runFromForm(GIVEN), expected(GIVEN));
  });

  test('the HTTP API, with no parameters and with every one', async () => {
    for (const parameters of [{}, GIVEN]) {
      const res = await postRun(parameters);
      assert.equal(res.status, 201, await res.clone().text());
      const { workflowId, runId } = (await res.json()) as { workflowId: string; runId: string };
      started.push(workflowId);
      assert.deepEqual(await resultOf(workflowId, runId), expected(parameters));
    }
  });

  test('the client', async () => {
    const ref = await sluice.client.start(FLOW, GIVEN);
    assert.deepEqual(await sluice.client.waitForResult(ref), expected(GIVEN));
  });
});

describe('what the flow refuses, every door refuses first, naming the field', () => {
  for (const name of names) {
    test(name, async () => {
      const wrong = only(name, WRONG[name]);

      const res = await postRun(wrong);
      assert.equal(res.status, 422, await res.clone().text());
      const body = (await res.json()) as { error: { issues: { path: string }[] } };
      assert.ok(body.error.issues.some((i) => i.path.split('.')[0] === name), `the API names ${name}: ${JSON.stringify(body)}`);

      const workflowId = uniqueName('kinds-refused');
      const error = await sluice.client.start(FLOW, wrong, { workflowId }).then(() => assert.fail('the client started a run'), (e: unknown) => e);
      assert.ok(error instanceof InvalidParametersError, String(error));
      assert.ok(error.issues.some((i) => i.path.split('.')[0] === name), `the client names ${name}: ${error.message}`);
      assert.equal(await sluice.client.getRun(workflowId), undefined, 'the client started nothing');

      // Around Sluice's doors, as a program using Temporal directly could: the flow refuses it too.
      const handle = await sluice.client.temporal.workflow.start(FLOW, { taskQueue, workflowId: uniqueName('kinds-bypass'), args: [wrong] });
      await assert.rejects(handle.result());
      const run = (await sluice.client.getRun(handle.workflowId))!;
      assert.equal(run.failure?.type, 'InvalidParameters');
      assert.match(run.failure!.message, new RegExp(`: ${name}[.:]`));

      const page = await openForm();
      if (await setControl(page, field(name), WRONG[name])) {
        await page.getByRole('button', { name: 'Start run' }).click();
        await page.locator(`#field-${name}-error`).waitFor({ timeout: 15_000 });
        assert.match(new URL(page.url()).pathname, /\/run$/, 'the form stays: no run started');
      }
      await page.close();
    });
  }

  test('nothing refused started a run: the operator has only the runs that were accepted', async () => {
    const startedBy = encodeURIComponent(`user:${app.users.operator.email}`);
    const listed = await eventually(async () => {
      const page = (await (await app.fetch(`/api/runs?flow=${FLOW}&startedBy=${startedBy}&pageSize=100`, { as: 'viewer' })).json()) as { runs: { workflowId: string }[] };
      const ids = page.runs.map((r) => r.workflowId);
      return started.every((id) => ids.includes(id)) && ids;
    }, 30_000, 'the accepted runs in the list');
    assert.deepEqual([...listed].sort(), [...started].sort());
  });
});
