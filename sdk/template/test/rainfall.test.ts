/** Unit tests of the tasks: each runs as its worker would run it (log and progress work), without Temporal. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runTask } from 'sluice/testing';
import { fetchReadings, StationUnknown, summarize } from '../activities/rainfall';

test('fetchReadings gives one reading a day and reports its progress day by day', async () => {
  const { result, progress } = await runTask(fetchReadings, 'Eelde', 3);
  assert.deepEqual(result.map((r) => [r.station, r.day]), [['Eelde', 'day 1'], ['Eelde', 'day 2'], ['Eelde', 'day 3']]);
  assert.deepEqual(progress.map((p) => p.message), ['day 1 of 3', 'day 2 of 3', 'day 3 of 3']);
});

test('fetchReadings refuses a station that cannot exist with its non-retryable error', async () => {
  await assert.rejects(runTask(fetchReadings, '42', 1), StationUnknown);
});

test('summarize totals the readings and names the wettest day', async () => {
  const readings = [
    { station: 'Eelde', day: 'day 1', mm: 2 },
    { station: 'Eelde', day: 'day 2', mm: 7.5 },
    { station: 'Eelde', day: 'day 3', mm: 0 },
  ];
  const { result } = await runTask(summarize, readings);
  assert.deepEqual(result, { station: 'Eelde', days: 3, totalMm: 9.5, wettest: 'day 2' });
});
