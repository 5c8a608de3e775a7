// A real outage of the log store under the Python shipper, as test/store/log-shipper-outage.test.ts does for
// TypeScript's: PostgreSQL is stopped in the middle of a stream of lines from a Python process and started again.
// Nothing may be lost while the buffer has room, nothing written out of order, and the worker is told once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { openStore, type Store } from 'sluice/store';
import { eventually } from '../harness/eventually';
import { PYTHON_FIXTURES, pythonEnv, venvPython } from '../harness/python';
import { startRestartablePostgres, type RestartablePostgres } from '../store/helpers/restartable-postgres';

interface Stats { pushed: number; written: number; pending: number; failing: boolean; final?: true; dropped?: number; warnings?: string[] }

let pg: RestartablePostgres;
let store: Store;
before(async () => {
  pg = await startRestartablePostgres();
  store = await openStore(pg.url, { migrate: true }); // migrated: the Python side writes into TypeScript's schema
});
after(async () => {
  await store?.close();
  await pg?.destroy();
});

test('lines a Python task logs while PostgreSQL is down are all written, in order, once it is back', async () => {
  const child = spawn(venvPython(), [path.join(PYTHON_FIXTURES, 'outage_producer.py'), pg.url], { env: pythonEnv(), stdio: ['pipe', 'pipe', 'inherit'] });
  after(() => child.kill('SIGKILL'));
  let stats: Stats = { pushed: 0, written: 0, pending: 0, failing: false };
  createInterface({ input: child.stdout! }).on('line', (line) => (stats = JSON.parse(line) as Stats));

  await eventually(() => stats.written >= 2_000, 30_000, 'lines to flow');
  await pg.stop(); // mid-stream: a write is usually in flight right now
  await eventually(() => stats.failing, 30_000, 'the shipper to notice');
  const pushedAtStop = stats.pushed;
  await eventually(() => stats.pushed > pushedAtStop + 1_000, 30_000, 'the producer to go on pushing during the outage');
  assert.ok(stats.pending >= stats.pushed - pushedAtStop - 500, `lines wait in memory: ${JSON.stringify(stats)}`);
  await pg.start();
  await eventually(() => !stats.failing, 30_000, 'the shipper to recover');
  child.stdin!.end('stop\n');
  await eventually(() => stats.final, 60_000, 'the producer to close its shipper');

  assert.equal(stats.dropped, 0);
  assert.equal(stats.written, stats.pushed);
  const rows = await store.db.selectFrom('logs').select('message').where('run_id', '=', 'run-outage').orderBy('id').execute();
  assert.equal(rows.length, stats.pushed);
  assert.ok(rows.every((r, i) => r.message === `line ${i}`), 'every line, once, in order');
  const warnings = stats.warnings ?? [];
  assert.equal(warnings.filter((w) => w.startsWith('Sluice log shipper: cannot write to the log store')).length, 1, warnings.join('\n'));
  assert.equal(warnings.filter((w) => /^Sluice log shipper: the log store is writable again after \d+\.\d s/.test(w)).length, 1, warnings.join('\n'));
});
