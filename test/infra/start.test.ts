/**
 * `npm start` (scripts/start.ts) end to end: Temporal, the worker and (when web/ exists) the web app in
 * production mode come up with prefixed output and printed URLs, and stop in order on SIGTERM; a second
 * start reuses the web app's build and its sessions; a child that dies takes the rest down with a non-zero
 * exit. Runs on free ports and a fresh data directory.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { isPortFree } from 'sluice/internal/dev';
import { openStore } from 'sluice/internal/store';
import { listApiTokens } from '../../web/lib/auth/tokens';
import { npmStart as start } from '../harness/npm-start';
import { loginCookie } from '../web/harness';

const root = join(__dirname, '..', '..');

/** `npm start` for the calling test, stopped when it ends. */
async function npmStart(...args: Parameters<typeof start>) {
  const started = await start(...args);
  after(() => started.stop());
  return started;
}

const webPresent = existsSync(join(root, 'web', 'next.config.ts')) || existsSync(join(root, 'web', 'next.config.js')) || existsSync(join(root, 'web', 'next.config.mjs'));

const admin = { SLUICE_ADMIN_EMAIL: 'admin@start.test', SLUICE_ADMIN_PASSWORD: 'start-test-password' };
// What the second start needs from the first: its data directory and a session cookie it issued.
let first: { dataDir: string; cookie: string; workerToken: string } | undefined;

test('starts everything, prints the URLs, and stops worker, web, Temporal in that order on SIGTERM', async () => {
  const started = await npmStart(admin);
  // The web app is built first unless the sources are those of the last build (minutes on 2 cores).
  await started.waitFor(/Press Ctrl-C to stop/, 480_000);
  const text = started.output.join('\n');
  assert.match(text, /^\[temporal\] +Server: +localhost:\d+/m, 'Temporal output is prefixed');
  assert.match(text, /^\[worker\] /m, 'worker output is prefixed');
  // activities/hydrology.py has Python tasks: its own worker serves them on the queue named after it.
  assert.match(text, /^\[py:hydrology\] +python worker ready: task queue hydrology, tasks rainfall_surface$/m);
  // Temporal Web: people open it through the web app (log-in, roles); the UI server answers on 127.0.0.1 only.
  const temporalWeb = webPresent ? `http://127\\.0\\.0\\.1:${started.ports.web}/temporal \\(through the web app` : `http://127\\.0\\.0\\.1:${started.ports.ui}/temporal`;
  assert.match(text, new RegExp(`Temporal Web +${temporalWeb}`));
  assert.match(text, new RegExp(`Temporal +127\\.0\\.0\\.1:${started.ports.temporal} \\(namespace default\\)`));
  assert.equal((await fetch(`http://127.0.0.1:${started.ports.ui}/temporal/`)).status, 200, 'Temporal Web answers');
  const lan = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
  if (lan) await assert.rejects(fetch(`http://${lan}:${started.ports.ui}/temporal/`), 'the UI server is not reachable from the network');
  if (webPresent) {
    const anonymous = await fetch(`http://127.0.0.1:${started.ports.web}/temporal/namespaces/default/workflows`, { redirect: 'manual' });
    assert.equal(anonymous.status, 307, 'Temporal Web through the web app needs a log-in');
    assert.match(anonymous.headers.get('location') ?? '', /\/login\?next=%2Ftemporal%2F/);
  }
  assert.ok(existsSync(join(started.dataDir, 'temporal.db')), 'Temporal keeps its state in the data directory');
  // The store is brought to this version's schema before anything starts: the workers only check it.
  const migrated = started.output.findIndex((l) => l.startsWith('[start]') && l.includes(`store ${join(started.dataDir, 'sluice.db')}: migrated to `));
  assert.ok(migrated >= 0, 'the store was migrated');
  assert.ok(migrated < started.output.findIndex((l) => /starting Temporal/.test(l)), 'before Temporal, the worker and the web app started');
  if (webPresent) {
    assert.match(text, new RegExp(`web app +http://127\\.0\\.0\\.1:${started.ports.web}`));
    assert.match(text, /building the web app \(next build|reusing the web app's build/);
    // Production mode: the session cookie is https-only (Secure, hence the __Secure- prefix), which
    // browsers still keep on http://127.0.0.1, so the log-in works there.
    const { cookie, response } = await loginCookie(`http://127.0.0.1:${started.ports.web}`, admin.SLUICE_ADMIN_EMAIL, admin.SLUICE_ADMIN_PASSWORD);
    assert.match(response.headers.getSetCookie().join('\n'), /^__Secure-next-auth\.session-token=[^;]+;.*;\s*Secure\b/im, 'a production session cookie');
    const runs = await fetch(`http://127.0.0.1:${started.ports.web}/api/runs`, { headers: { cookie } });
    assert.equal(runs.status, 200, 'the session opens the API');
    // The worker is a client of the web app: a worker token of its own (kept for this user only), no store credential.
    assert.match(text, /starting the worker \(a client of the web app/);
    const tokenFile = join(started.dataDir, 'worker-token');
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600, 'the worker token is readable by this user only');
    const flows = (await (await fetch(`http://127.0.0.1:${started.ports.web}/api/flows`, { headers: { cookie } })).json()) as { flows: { taskQueue: string }[] };
    assert.ok(flows.flows.some((f) => f.taskQueue === 'sluice'), 'the worker published its flows');
    const store = await openStore(`sqlite:${join(started.dataDir, 'sluice.db')}`);
    try {
      const tokens = (await listApiTokens(store.db)).filter((t) => t.revokedAt === null && t.role === 'worker');
      assert.deepEqual(tokens.map((t) => [t.name, t.taskQueues]), [['npm-start-worker', ['hydrology', 'sluice']]]);
      assert.ok(tokens[0]!.lastUsedAt, 'and published them with its worker token, through the worker API');
    } finally {
      await store.close();
    }
    first = { dataDir: started.dataDir, cookie, workerToken: readFileSync(tokenFile, 'utf8') };
  }

  started.kill('SIGTERM');
  assert.equal(await started.exit, 0, started.output.join('\n'));
  const order = started.output.filter((l) => /stopping (worker|web|temporal)\.\.\./.test(l)).map((l) => /stopping (\w+)/.exec(l)![1]);
  assert.deepEqual(order, webPresent ? ['worker', 'web', 'temporal'] : ['worker', 'temporal']);
  assert.match(started.output.join('\n'), /^\[py:hydrology\] +python worker stopped: \d+ log lines written$/m, 'the Python worker stopped gracefully');
  for (const port of Object.values(started.ports)) assert.equal(await isPortFree(port), true, `port ${port} is released`);
});

test('a second start with unchanged sources reuses the build, and its sessions', { skip: !webPresent }, async () => {
  assert.ok(first, 'the first start logged in');
  const started = await npmStart({}, first.dataDir);
  await started.waitFor(/Press Ctrl-C to stop/, 240_000);
  const text = started.output.join('\n');
  assert.match(text, /reusing the web app's build \(web\/ and sdk\/ unchanged/);
  assert.ok(text.includes(`store ${join(first.dataDir, 'sluice.db')}: up to date (`), 'the store kept its schema');
  assert.doesNotMatch(text, /building the web app/);
  // The secret made at the first start was kept in the data directory: the first start's session holds.
  const runs = await fetch(`http://127.0.0.1:${started.ports.web}/api/runs`, { headers: { cookie: first.cookie } });
  assert.equal(runs.status, 200, 'a session from before the restart is still good');
  assert.equal(readFileSync(join(first.dataDir, 'worker-token'), 'utf8'), first.workerToken, 'the worker token is reused');
  started.kill('SIGTERM');
  assert.equal(await started.exit, 0, text);
});

test('a child that dies is named, the rest is stopped, and the exit code is not 0', async () => {
  // Through npm itself, as a user types it: package.json's start script (the supervisor bundled into
  // dist/start.js), and npm passing the failure on.
  const started = await npmStart({ SLUICE_WORKFLOWS: '/nonexistent/workflows', SLUICE_START_WEB: 'false' }, undefined, { viaNpm: true });
  const code = await started.exit;
  assert.notEqual(code, 0);
  const text = started.output.join('\n');
  assert.match(text, /worker exited unexpectedly \(exit code 1\); stopping the rest/);
  assert.match(text, /stopping temporal\.\.\./);
  for (const port of Object.values(started.ports)) assert.equal(await isPortFree(port), true, `port ${port} is released`);
});

test('a port in use is reported with the variable that changes it', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const taken = (blocker.address() as { port: number }).port;
  try {
    const started = await npmStart({ SLUICE_TEMPORAL_UI_PORT: String(taken) });
    assert.equal(await started.exit, 1);
    assert.match(started.output.join('\n'), new RegExp(`Port ${taken} \\(for Temporal Web\\) is already in use.*SLUICE_TEMPORAL_UI_PORT=`));
  } finally {
    blocker.close();
  }
});

test("a wrong web app setting stops npm start before anything starts, naming the variable", { skip: !webPresent }, async () => {
  const started = await npmStart({ SLUICE_ADMIN_EMAIL: '', SLUICE_ADMIN_PASSWORD: 'a-password-without-its-email' });
  assert.equal(await started.exit, 1);
  const text = started.output.join('\n');
  assert.match(text, /SLUICE_ADMIN_EMAIL: required when SLUICE_ADMIN_PASSWORD is set/);
  assert.doesNotMatch(text, /starting Temporal|next build|at .*\.js:\d+/, 'refused before Temporal or the build, without a stack trace');
  assert.equal(existsSync(join(started.dataDir, 'sluice.db')), false, 'the store was not made');
});
