/**
 * Tests the flow's logic with a stand-in for its task, on Temporal's time-skipping test server: its waits of
 * hours take no time. The stand-in makes the rain heavy at one station on the second check only.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFlowTestEnv, type FlowTestEnv } from 'sluice/testing';
import type { Reading } from '../activities/rainfall';

const calls: string[] = [];
let env: FlowTestEnv;
before(async () => {
  env = await startFlowTestEnv({
    tasks: {
      async fetchReadings(station: string): Promise<Reading[]> {
        calls.push(station);
        const check = calls.filter((s) => s === station).length;
        return [{ station, day: 'today', mm: station === 'Eelde' && check === 2 ? 31 : 4 }];
      },
    },
  });
});
after(async () => {
  await env?.close();
});

test('rainfallWatch checks every station at each check, hours apart, and warns of heavy rain', async () => {
  const started = await env.now();
  const result = await env.run('rainfallWatch', { stations: ['DeBilt', 'Eelde'], checks: 3, hours: 6, heavyMm: 20 });
  assert.deepEqual(result, { checks: 3, alerts: [{ check: 2, station: 'Eelde', mm: 31 }] });
  assert.deepEqual(calls.toSorted(), ['DeBilt', 'DeBilt', 'DeBilt', 'Eelde', 'Eelde', 'Eelde']);
  const waited = (await env.now()).getTime() - started.getTime();
  assert.ok(waited >= 12 * 60 * 60 * 1000, `two waits of 6 hours passed on the server's clock (${waited} ms)`);
});

test('rainfallWatch refuses parameters its schema refuses, before calling any task', async () => {
  const before = calls.length;
  await assert.rejects(env.run('rainfallWatch', { stations: [] }), /stations/);
  assert.equal(calls.length, before);
});
