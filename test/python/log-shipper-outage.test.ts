// A real outage of the store behind the worker API under the Python shipper, as test/store/log-shipper-outage.test.ts
// does for TypeScript's: the web app (`next start`) on a PostgreSQL that is stopped in the middle of a stream of lines
// from a Python process (with a worker token) and started again. The app answers 503 meanwhile; the lines wait in
// the Python spool. Nothing may be lost while the spool has room, nothing written out of order, the worker told once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { openStore, type Store } from 'sluice/internal/store';
import { freshTmpDir } from '../harness/env';
import { eventually } from '../harness/eventually';
import { PYTHON_FIXTURES, pythonEnv, venvPython, workerToken } from '../harness/python';
import { testClient } from '../harness/sluice';
import { uniqueName } from '../harness/temporal';
import { startRestartablePostgres, type RestartablePostgres } from '../store/helpers/restartable-postgres';
import { startWebApp, type WebApp } from '../web/harness';

interface Stats { pushed: number; written: number; pending: number; failing: boolean; final?: true; dropped?: number; warnings?: string[] }

let pg: RestartablePostgres;
let app: WebApp;
let store: Store;
before(async () => {
  pg = await startRestartablePostgres();
  app = await startWebApp({ storeUrl: pg.url, seed: false });
  store = await openStore(pg.url, { migrate: true }); // the web app migrates at its first request; this test reads before
});
after(async () => {
  await store?.close();
  await app?.stop();
  await pg?.destroy();
});

test('lines a Python task logs while the store is down are all written, in order, once it is back', async () => {
  // A real run on the token's queue (nobody polls it: it stays running), whose lines the app accepts.
  const queue = uniqueName('outage');
  const { client, close } = await testClient(pg.url);
  const handle = await client.temporal.workflow.start('outageFlow', { taskQueue: queue, workflowId: uniqueName('outage-wf') });
  after(async () => {
    await handle.terminate().catch(() => undefined);
    await close();
  });
  const token = await workerToken(pg.url, [queue]);
  const args = [path.join(PYTHON_FIXTURES, 'outage_producer.py'), app.baseUrl, token, freshTmpDir('outage-spool'), handle.workflowId, handle.firstExecutionRunId];
  const child = spawn(venvPython(), args, { env: pythonEnv(), stdio: ['pipe', 'pipe', 'inherit'] });
  after(() => child.kill('SIGKILL'));
  let stats: Stats = { pushed: 0, written: 0, pending: 0, failing: false };
  createInterface({ input: child.stdout! }).on('line', (line) => (stats = JSON.parse(line) as Stats));

  await eventually(() => stats.written >= 2_000, 60_000, 'lines to flow');
  await pg.stop(); // mid-stream: a request is usually in flight right now
  await eventually(() => stats.failing, 30_000, 'the shipper to notice');
  const pushedAtStop = stats.pushed;
  await eventually(() => stats.pushed > pushedAtStop + 1_000, 30_000, 'the producer to go on pushing during the outage');
  assert.ok(stats.pending >= stats.pushed - pushedAtStop - 500, `lines wait in the spool: ${JSON.stringify(stats)}`);
  await pg.start();
  await eventually(() => !stats.failing, 60_000, 'the shipper to recover');
  child.stdin!.end('stop\n');
  await eventually(() => stats.final, 60_000, 'the producer to close its shipper');

  assert.equal(stats.dropped, 0);
  assert.equal(stats.written, stats.pushed);
  const rows = await store.db.selectFrom('logs').select('message').where('run_id', '=', handle.firstExecutionRunId).orderBy('id').execute();
  assert.equal(rows.length, stats.pushed);
  assert.ok(rows.every((r, i) => r.message === `line ${i}`), 'every line, once, in order');
  const warnings = stats.warnings ?? [];
  assert.equal(warnings.filter((w) => w.startsWith('Sluice log shipper: cannot write log lines to Sluice')).length, 1, warnings.join('\n'));
  assert.equal(warnings.filter((w) => /^Sluice log shipper: Sluice takes log lines again after \d+\.\d s/.test(w)).length, 1, warnings.join('\n'));
});
