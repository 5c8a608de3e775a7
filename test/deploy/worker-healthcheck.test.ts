// The worker's health report and the container healthchecks that read it (deploy/worker-healthcheck.cjs, mounted by
// compose, and `sluice healthcheck`, the HEALTHCHECK of a workflow repository's image): the report as the worker
// writes it, and each way a report can be wrong, named alike by both. The running worker writing its
// report for itself is checked in test/deploy/production.test.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { HEALTH_CONTRACT, healthOf, problemWithReport, writeHealthReport, type HealthReport } from 'sluice/internal/worker';
import { freshTmpDir } from '../harness/env';

const HEALTHCHECKS = {
  'deploy/worker-healthcheck.cjs': [path.resolve(__dirname, '../../deploy/worker-healthcheck.cjs')],
  'sluice healthcheck': [path.resolve(__dirname, '../../sdk/bin/sluice.js'), 'healthcheck'],
};
const me = { taskQueue: 'rain', identity: '42@worker-1' };

/** Runs a healthcheck on `file` from a directory without node_modules: reading a report needs no Temporal client. */
function runHealthcheck(command: string[], file: string): { status: number | null; stderr: string } {
  const cwd = freshTmpDir('healthcheck');
  const { status, stderr } = spawnSync(process.execPath, command, { cwd, env: { PATH: process.env.PATH, SLUICE_HEALTH_FILE: file }, encoding: 'utf8' });
  return { status, stderr };
}

function reportFile(report: HealthReport | string): string {
  const file = path.join(freshTmpDir('health'), 'sluice-health.json');
  if (typeof report === 'string') writeFileSync(file, report);
  else writeHealthReport(file, report);
  return file;
}

const secondsAgo = (s: number) => new Date(Date.now() - s * 1000);

describe("the worker's health (healthOf)", () => {
  const now = new Date('2026-11-30T12:00:00Z');
  const polled = (identity: string, secondsBefore: number) => ({ identity, lastAccessTime: { seconds: now.getTime() / 1000 - secondsBefore } });

  test('healthy when Temporal lists a poll by this very worker in the last 90 s', () => {
    assert.deepEqual(healthOf([polled('7@other', 1), polled(me.identity, 80)], { ...me, now }), { ok: true, checkedAt: now.toISOString(), ...me });
  });

  test("not healthy on another worker's poll (even on the same host) or an old one, with the reason", () => {
    for (const pollers of [[], [polled('43@worker-1', 1)], [polled(me.identity, 95)]]) {
      const report = healthOf(pollers, { ...me, now });
      assert.equal(report.ok, false);
      assert.equal(report.reason, 'Temporal lists no poll from this worker (42@worker-1) on task queue rain in the last 90 s');
    }
  });
});

test('writeHealthReport replaces the report whole and leaves no temporary file, also when it cannot write', () => {
  const dir = freshTmpDir('health');
  const file = path.join(dir, 'sluice-health.json');
  writeHealthReport(file, { ok: false, checkedAt: new Date().toISOString(), ...me, reason: 'first' });
  writeHealthReport(file, { ok: true, checkedAt: new Date().toISOString(), ...me });
  assert.deepEqual(readdirSync(dir), ['sluice-health.json']);
  assert.equal((JSON.parse(readFileSync(file, 'utf8')) as HealthReport).ok, true);
  assert.throws(() => writeHealthReport(path.join(dir, 'gone', 'sluice-health.json'), healthOf([], { ...me, now: new Date() })), /ENOENT/);
  assert.deepEqual(readdirSync(dir), ['sluice-health.json']);
});

for (const [name, command] of Object.entries(HEALTHCHECKS)) describe(`${name} with SLUICE_HEALTH_FILE`, () => {
  const healthcheck = (file: string) => runHealthcheck(command, file);

  test('passes on a fresh ok report, without loading the Temporal client', () => {
    const result = healthcheck(reportFile(healthOf([{ identity: me.identity, lastAccessTime: { seconds: Date.now() / 1000 } }], { ...me, now: new Date() })));
    assert.equal(result.status, 0, result.stderr);
  });

  test('fails with the reason of a not-ok report', () => {
    const result = healthcheck(reportFile(healthOf([], { ...me, now: secondsAgo(5) })));
    assert.equal(result.status, 1);
    // 5 s, or 6 when the machine stalled between writing and reading.
    assert.match(result.stderr, /^worker healthcheck: Temporal lists no poll from this worker \(42@worker-1\) on task queue rain in the last 90 s \([56] s ago\)\n$/);
  });

  test('fails on a report older than 60 s: the worker stopped checking in', () => {
    const file = reportFile({ ok: true, checkedAt: secondsAgo(61).toISOString(), ...me });
    const result = healthcheck(file);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^worker healthcheck: the last health report \(.+\) is 6[12] s old: the worker has stopped checking in\n$/);
    assert.ok(result.stderr.includes(file), 'it names the file');
  });

  test('fails, naming the file, when there is no report yet or it is not one', () => {
    const missing = path.join(freshTmpDir('health'), 'none.json');
    assert.deepEqual(healthcheck(missing), { status: 1, stderr: `worker healthcheck: no health report at ${missing} yet (the worker writes one every 15 s once it polls)\n` });
    for (const text of ['{"ok": tr', '{"ok": "yes", "checkedAt": "2026-11-30T12:00:00Z"}', '[]']) {
      const file = reportFile(text);
      const result = healthcheck(file);
      assert.equal(result.status, 1, text);
      assert.match(result.stderr, new RegExp(`^worker healthcheck: ${file.replace(/[.\\]/g, '\\$&')} is not a health report: .+\\n$`), text);
    }
  });
});

// The contract's shared cases (test/vectors/health.json), decided alike by python/tests/test_health.py.
describe('the health contract (sdk/src/worker/health-contract.json) and its shared vector', () => {
  const vector = JSON.parse(readFileSync(path.resolve(__dirname, '../vectors/health.json'), 'utf8'));
  const now = Date.parse(vector.now);
  const healthcheckModule = require(HEALTHCHECKS['deploy/worker-healthcheck.cjs'][0]!) as {
    checkReport(file: string, now?: number, contract?: unknown): void;
    healthContract(cwd?: string): typeof HEALTH_CONTRACT;
    CONTRACT_BEFORE_THE_FILE: Record<string, number>;
  };

  test('healthOf decides each case of polls as the vector says', () => {
    for (const c of vector.polls) {
      const pollers = c.pollers.map((p: { identity: string; secondsAgo: number }) => ({ identity: p.identity, lastAccessTime: { seconds: now / 1000 - p.secondsAgo } }));
      const report = healthOf(pollers, { taskQueue: c.taskQueue, identity: c.identity, now: new Date(now) });
      assert.deepEqual(report, c.report, c.name);
      for (const field of HEALTH_CONTRACT.required) assert.ok(field in report, `${c.name}: ${field}`);
      for (const field of Object.keys(report)) assert.ok(field in HEALTH_CONTRACT.fields, `${c.name}: ${field} is a field of the contract`);
    }
  });

  test('the healthcheck decides each report as the vector says', () => {
    const dir = freshTmpDir('health-vector');
    for (const [i, c] of vector.reports.entries()) {
      const file = path.join(dir, `report-${i}.json`);
      if (c.text !== null) writeFileSync(file, c.text.replace(/\{ago:(-?\d+)\}/g, (_: string, s: string) => new Date(now - Number(s) * 1000).toISOString()));
      let problem: string | null = null;
      try {
        healthcheckModule.checkReport(file, now);
      } catch (err) {
        problem = (err as Error).message;
      }
      // `sluice healthcheck` (a workflow repository's image) decides it alike.
      const fromPackage = problemWithReport(file, new Date(now)) ?? null;
      for (const [who, said] of [['worker-healthcheck.cjs', problem], ['sluice healthcheck', fromPackage]] as const) {
        if (c.problemStartsWith) assert.ok(said?.startsWith(c.problemStartsWith.replace('{file}', file)), `${who}, ${c.name}: ${said}`);
        else assert.equal(said, c.problem && c.problem.replace('{file}', file), `${who}, ${c.name}`);
      }
    }
  });

  test('the healthcheck reads the contract the worker reads; its rules for older workers are the same', () => {
    assert.deepEqual(healthcheckModule.healthContract(freshTmpDir('no-sluice')), HEALTH_CONTRACT);
    for (const [key, value] of Object.entries(healthcheckModule.CONTRACT_BEFORE_THE_FILE)) assert.equal(value, (HEALTH_CONTRACT as Record<string, unknown>)[key], key);
  });
});

test('sluice healthcheck without SLUICE_HEALTH_FILE or --file says what to set (bad usage, exit 2)', () => {
  const { status, stderr } = spawnSync(process.execPath, [HEALTHCHECKS['sluice healthcheck'][0]!, 'healthcheck'], { cwd: freshTmpDir('healthcheck'), env: { PATH: process.env.PATH }, encoding: 'utf8' });
  assert.equal(status, 2);
  assert.match(stderr, /^sluice healthcheck: no health report to read: set SLUICE_HEALTH_FILE \(as the worker has it\) or pass --file\n/);
});
