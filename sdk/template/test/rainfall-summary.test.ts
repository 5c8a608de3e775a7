/**
 * Runs the flow for real: a Temporal dev server, this repository's worker (`sluice worker`) and a client,
 * all started by Sluice's test helper. Set TEMPORAL_ADDRESS to use a server you already run.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestEnv, type TestEnv } from 'sluice/testing';

let env: TestEnv;
before(async () => {
  env = await startTestEnv();
});
after(async () => {
  await env?.close();
});

test('rainfallSummary sums the readings of a station and logs each step', async () => {
  const run = await env.run('rainfallSummary', { station: 'Eelde', days: 10 });
  const summary = run.result as { station: string; days: number; totalMm: number };
  assert.equal(summary.station, 'Eelde');
  assert.equal(summary.days, 10);
  assert.ok(summary.totalMm >= 0);
  const lines = await env.logs(run.runId, { until: (l) => l.some((x) => x.message === 'summary ready') });
  assert.ok(lines.some((l) => l.message === 'fetching readings' && l.task === 'fetchReadings'));
  assert.ok(lines.some((l) => l.message === '10 days, ' + summary.totalMm + ' mm in all'));
});

test('parameters the flow refuses start no run', async () => {
  await assert.rejects(env.client.start('rainfallSummary', { days: 0 }), /days/);
});

test('an unknown station fails at once, without retries', async () => {
  await assert.rejects(env.run('rainfallSummary', { station: '42' }), /no station called "42"/);
});
