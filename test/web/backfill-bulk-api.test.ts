// Backfill and bulk actions through the HTTP API and the `sluice backfill` command, end to end: the built app on
// PostgreSQL, the suite's Temporal dev server and a real worker. Bad input is refused (4xx, readable, nothing
// started); roles apply; each run of a bulk action gets its own result.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { SLUICE_BIN } from 'sluice/internal/dev';
import { openStore } from 'sluice/internal/store';
import { createApiToken } from '../../web/lib/auth/tokens';
import { eventually } from '../harness/eventually';
import { FIXTURES } from '../harness/sluice';
import { createTestDatabase, type TestDatabase } from '../harness/postgres';
import { uniqueName } from '../harness/temporal';
import { startWorker, type TestWorker } from '../harness/worker';
import { startWebApp, type WebApp } from './harness';

let db: TestDatabase;
let app: WebApp;
let worker: TestWorker;
const operatorToken = uniqueName('bf-ops');
const tokens = { viewer: '', operator: '' };

const asJson = async <T = Record<string, unknown>>(res: Response) => (await res.json()) as T;
const send = (method: string, pathname: string, body: unknown, token = tokens.operator) =>
  app.fetch(pathname, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), token });

before(async () => {
  db = await createTestDatabase('backfillapi');
  app = await startWebApp({ storeUrl: db.url });
  worker = await startWorker({ taskQueue: uniqueName('backfillapi'), storeUrl: db.url, workflows: path.resolve(__dirname, '../fixtures/backfill-flows.ts'), activities: FIXTURES.activities });
  const store = await openStore(db.url, { migrate: true });
  try {
    tokens.viewer = (await createApiToken(store.db, { name: uniqueName('bf-read'), role: 'viewer', createdBy: null })).token;
    tokens.operator = (await createApiToken(store.db, { name: operatorToken, role: 'operator', createdBy: null })).token;
  } finally {
    await store.close();
  }
});
after(async () => {
  await worker?.stop();
  await app?.stop();
  await db?.drop();
});

/** The backfills of dailyImport.daily this file's token started. */
async function mine(deployment = 'daily') {
  const { backfills } = await asJson<{ backfills: { id: string; startedBy: string }[] }>(await app.fetch(`/api/backfills?flow=dailyImport&deployment=${deployment}`, { token: tokens.viewer }));
  return backfills.filter((b) => b.startedBy === `token:${operatorToken}`);
}

describe('POST /api/backfills', () => {
  test('previews the runs a range makes, nothing started', async () => {
    const res = await send('POST', '/api/backfills', { flow: 'dailyImport', deployment: 'daily', from: '2026-01-01', to: '2026-03-31', preview: true });
    assert.equal(res.status, 200);
    const preview = await asJson(res);
    assert.equal(preview.runs, 90);
    assert.equal(preview.firstSlot, '2026-01-01T06:00:00.000Z');
    assert.equal(preview.lastSlot, '2026-03-31T06:00:00.000Z');
    assert.deepEqual(await mine(), []);
  });

  test('refuses bad input with a readable 4xx, and starts nothing', async () => {
    const cases: [unknown, number, RegExp][] = [
      [{ flow: 'dailyImport', deployment: 'daily', from: '2026-03-31', to: '2026-01-01' }, 400, /reversed.*Swap them/],
      [{ flow: 'dailyImport', deployment: 'hourly', from: '2024-01-01', to: '2025-12-31' }, 400, /more than 1000 slots.*Split/],
      [{ flow: 'dailyImport', deployment: 'daily', from: '2026-01-01', to: '2999-01-01' }, 400, /future/],
      [{ flow: 'dailyImport', deployment: 'daily', from: 'yesterday', to: '2026-01-01' }, 400, /from must be a date/],
      [{ flow: 'dailyImport', deployment: 'daily', from: '2026-01-01', to: '2026-01-02', maxRunning: 0 }, 400, /maxRunning must be at least 1/],
      [{ flow: 'dailyImport', deployment: 'manual', from: '2026-01-01', to: '2026-01-02' }, 400, /no schedule/],
      [{ flow: 'dailyImport', deployment: 'weekly', from: '2026-01-01', to: '2026-01-02' }, 404, /has no deployment "weekly"/],
      [{ flow: 'noSuchFlow', deployment: 'daily', from: '2026-01-01', to: '2026-01-02' }, 404, /Unknown flow/],
    ];
    for (const [body, status, message] of cases) {
      const res = await send('POST', '/api/backfills', body);
      const { error } = await asJson<{ error: { message: string } }>(res);
      assert.equal(res.status, status, `${JSON.stringify(body)}: ${error.message}`);
      assert.match(error.message, message);
      assert.doesNotMatch(error.message, /\n\s+at /, 'no stack');
    }
    assert.equal((await send('POST', '/api/backfills', { flow: 'dailyImport', deployment: 'daily', from: '2026-01-01', to: '2026-01-02' }, tokens.viewer)).status, 403);
    assert.deepEqual(await mine(), [], 'nothing started');
  });

  test('starts one run per slot, shows n of m done, each run knowing its slot; cancels as a whole', async () => {
    const res = await send('POST', '/api/backfills', { flow: 'dailyImport', deployment: 'daily', from: '2025-05-01', to: '2025-05-02' });
    assert.equal(res.status, 201);
    const started = await asJson<{ id: string; runs: number }>(res);
    assert.equal(res.headers.get('location'), `/api/backfills/${encodeURIComponent(started.id)}`);
    assert.equal(started.runs, 2);
    const done = await eventually(async () => {
      const b = await asJson<{ state: string; done: number; total: number; runs: Record<string, number>; runsStartedBy: string }>(await app.fetch(`/api/backfills/${encodeURIComponent(started.id)}`, { token: tokens.viewer }));
      return b.state === 'completed' && b.done === 2 && b;
    }, 30_000, 'the backfill done');
    assert.equal(done.total, 2);
    assert.equal(done.runs.completed, 2);
    const { runs } = await asJson<{ runs: { workflowId: string; runId: string }[] }>(await app.fetch(`/api/runs?startedBy=${encodeURIComponent(done.runsStartedBy)}`, { token: tokens.viewer }));
    const results = await Promise.all(runs.map(async (r) => (await asJson<{ result: string }>(await app.fetch(`/api/runs/${encodeURIComponent(r.workflowId)}?runId=${r.runId}`, { token: tokens.viewer }))).result));
    assert.deepEqual(results.sort(), ['2025-05-01T06:00:00.000Z', '2025-05-02T06:00:00.000Z']);

    // 24 slots of 1.5 s each, two at a time: cancelled long before the last.
    const long = await asJson<{ id: string }>(await send('POST', '/api/backfills', { flow: 'dailyImport', deployment: 'hourly', from: '2025-05-01T00:00:00Z', to: '2025-05-01T23:00:00Z', maxRunning: 2 }));
    const self = `/api/backfills/${encodeURIComponent(long.id)}`;
    assert.equal((await app.fetch(self, { method: 'DELETE', token: tokens.viewer })).status, 403);
    const cancel = await app.fetch(self, { method: 'DELETE', token: tokens.operator });
    assert.equal(cancel.status, 200);
    assert.equal((await asJson(cancel)).cancelled, true);
    const cancelled = await eventually(async () => {
      const b = await asJson<{ state: string; done: number; total: number }>(await app.fetch(self, { token: tokens.viewer }));
      return b.state === 'cancelled' && b;
    }, 30_000, 'the backfill cancelled');
    assert.ok(cancelled.done < cancelled.total, `stopped early (${cancelled.done} of ${cancelled.total})`);
    assert.equal((await app.fetch('/api/backfills/no-such-backfill', { token: tokens.viewer })).status, 404);
  });
});

describe('sluice backfill', () => {
  const sluice = (args: string[], env: Record<string, string> = {}) =>
    promisify(execFile)(process.execPath, [SLUICE_BIN, 'backfill', ...args], { env: { ...process.env, SLUICE_URL: app.baseUrl, SLUICE_TOKEN: tokens.operator, ...env } }).then(
      ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
    );

  test('previews, refuses a bad range in one readable line, and needs a token', async () => {
    const preview = await sluice(['dailyImport', 'daily', '--from', '2026-03-01', '--to', '2026-03-31', '--preview']);
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /dailyImport\.daily: 31 runs \(2026-03-01T06:00:00\.000Z … 2026-03-31T06:00:00\.000Z\), one at a time; nothing started/);
    const reversed = await sluice(['dailyImport', 'daily', '--from', '2026-03-31', '--to', '2026-03-01']);
    assert.equal(reversed.code, 1);
    assert.match(reversed.stderr, /^sluice backfill: The range is reversed.*\(HTTP 400\)\n$/);
    const noToken = await sluice(['dailyImport', 'daily', '--from', '2026-03-01', '--to', '2026-03-02'], { SLUICE_TOKEN: '' });
    assert.equal(noToken.code, 2);
    assert.match(noToken.stderr, /no API token/);
  });

  test('starts and waits until every run ended', async () => {
    const run = await sluice(['dailyImport', 'daily', '--from', '2025-04-01', '--to', '2025-04-02', '--wait']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /started, 2 runs/);
    assert.match(run.stdout, /completed, 2 of 2 done, 0 failed/);
  });
});

describe('POST /api/run-actions', () => {
  const startRun = async (holdMs: number) => asJson<{ workflowId: string; runId: string }>(await send('POST', '/api/runs', { flow: 'dailyImport', deployment: 'manual', parameters: { holdMs } }));

  test('cancels the listed runs, a result per run; re-runs all matching a filter; roles and bad input refused', async () => {
    const running = [await startRun(600_000), await startRun(600_000)];
    const ended = await startRun(0);
    await eventually(async () => (await asJson<{ status: string }>(await app.fetch(`/api/runs/${encodeURIComponent(ended.workflowId)}`, { token: tokens.viewer }))).status === 'completed', 20_000, 'a run completed');
    const refs = [...running, ended].map(({ workflowId, runId }) => ({ workflowId, runId }));

    assert.equal((await send('POST', '/api/run-actions', { action: 'cancel', runs: refs }, tokens.viewer)).status, 403);
    for (const [body, message] of [
      [{ action: 'delete', runs: refs }, /action must be one of cancel, rerun/],
      [{ action: 'cancel' }, /either runs or filter/],
      [{ action: 'cancel', runs: refs, filter: { flow: 'dailyImport' } }, /either runs or filter/],
      [{ action: 'cancel', runs: [{ workflowId: 'x', runId: 'not-a-uuid' }] }, /must be a run id/],
    ] as const) {
      const res = await send('POST', '/api/run-actions', body);
      assert.equal(res.status, 400);
      assert.match((await asJson<{ error: { message: string } }>(res)).error.message, message);
    }

    const res = await send('POST', '/api/run-actions', { action: 'cancel', runs: refs });
    assert.equal(res.status, 200);
    const cancel = await asJson<{ ok: number; failed: number; results: { workflowId: string; ok: boolean; message: string }[] }>(res);
    assert.deepEqual([cancel.ok, cancel.failed], [2, 1]);
    assert.deepEqual(cancel.results.map((r) => r.ok), [true, true, false], 'in the order given');
    assert.match(cancel.results[2]!.message, /Not running \(it completed\): nothing to cancel/);

    const mineCancelled = { startedBy: `token:${operatorToken}`, status: 'cancelled' };
    await eventually(async () => (await asJson<{ runs: unknown[] }>(await app.fetch(`/api/runs?${new URLSearchParams(mineCancelled)}`, { token: tokens.viewer }))).runs.length === 2, 20_000, 'both cancelled');
    const stale = await send('POST', '/api/run-actions', { action: 'rerun', filter: mineCancelled, expect: 3 });
    assert.equal(stale.status, 409);
    assert.match((await asJson<{ error: { message: string } }>(stale)).error.message, /matches 2 runs now, not the 3 expected; nothing was done/);
    assert.equal((await send('POST', '/api/run-actions', { action: 'rerun', filter: mineCancelled })).status, 400, 'expect is required with a filter');
    const rerun = await asJson<{ ok: number; results: { ok: boolean; rerun: { workflowId: string } }[] }>(await send('POST', '/api/run-actions', { action: 'rerun', filter: mineCancelled, expect: 2 }));
    assert.equal(rerun.ok, 2);
    assert.ok(rerun.results.every((r) => r.ok && r.rerun.workflowId.startsWith('dailyImport.manual-')));
    // The re-runs hold for ten minutes: stopped the same way.
    const stop = await asJson<{ ok: number }>(await send('POST', '/api/run-actions', { action: 'cancel', runs: rerun.results.map((r) => r.rerun) }));
    assert.equal(stop.ok, 2);
  });
});
