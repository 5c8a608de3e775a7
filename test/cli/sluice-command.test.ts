// The `sluice` command as a developer meets it: usage and exit codes, and `sluice dev` — a dev server and
// the repository's worker, restarted when a file changes, all stopped by Ctrl-C.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { SluiceClient } from 'sluice/client';
import { freePort, isPortFree, SLUICE_BIN } from 'sluice/internal/dev';
import { openStore } from 'sluice/internal/store';
import { freshTmpDir, temporalAddress } from '../harness/env';
import { eventually } from '../harness/eventually';
import { uniqueName } from '../harness/temporal';

const ROOT = path.resolve(__dirname, '../..');
const sluice = (...args: string[]) => spawnSync(process.execPath, [SLUICE_BIN, ...args], { encoding: 'utf8' });

describe('the sluice command', () => {
  test('without a command it prints the commands and exits 2; --help exits 0', () => {
    const bare = sluice();
    assert.equal(bare.status, 2);
    for (const command of ['new', 'dev', 'check', 'worker', 'build', 'migrate', 'healthcheck', 'backfill']) assert.match(bare.stdout, new RegExp(`^  ${command} `, 'm'));
    assert.equal(sluice('--help').status, 0);
    assert.match(sluice('--version').stdout.trim(), /^\d+\.\d+\.\d+$/);
  });

  test('an unknown command or option is a usage error (exit 2) that shows the usage', () => {
    const unknown = sluice('deploy');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command "deploy"/);
    const badOption = sluice('check', '--bogus');
    assert.equal(badOption.status, 2);
    assert.match(badOption.stderr, /Unknown option '--bogus'[\s\S]*Usage: sluice check/);
    // The healthcheck runs without the rest of the CLI (bin/sluice.js), and says the same.
    const badHealthOption = sluice('healthcheck', '--bogus');
    assert.equal(badHealthOption.status, 2);
    assert.match(badHealthOption.stderr, /Unknown option '--bogus'[\s\S]*Usage: sluice healthcheck/);
  });

  test('every command has its own --help', () => {
    for (const command of ['new', 'dev', 'check', 'worker', 'build', 'migrate', 'healthcheck', 'backfill']) {
      const help = sluice(command, '--help');
      assert.equal(help.status, 0, command);
      assert.match(help.stdout, new RegExp(`^Usage: sluice ${command}`), command);
    }
  });

  test('sluice check passes on Sluice\'s own examples', () => {
    const check = spawnSync(process.execPath, [SLUICE_BIN, 'check', '--no-bundle'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /5 flow\(s\) \(flakyDownload, rainfallAnomalies, rainfallReport, rainfallSurface, reservoirSimulation\)/);
  });
});

/** A one-flow repository in a temporary folder that resolves `sluice` from this checkout. */
function smallRepository(greeting: string): string {
  const dir = freshTmpDir('sluice-dev');
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  mkdirSync(path.join(dir, 'workflows'));
  mkdirSync(path.join(dir, 'activities'));
  writeFileSync(
    path.join(dir, 'workflows/index.ts'),
    `import { flow, tasks } from 'sluice/flow';\nimport type * as greetings from '../activities';\n` +
      `const { greet } = tasks<typeof greetings>();\nexport const greetFlow = flow({}, async () => greet('dev'));\n`,
  );
  writeGreeting(dir, greeting);
  return dir;
}

function writeGreeting(dir: string, greeting: string): void {
  writeFileSync(
    path.join(dir, 'activities/index.ts'),
    `import { task } from 'sluice';\nexport const greet = task({ retries: 0 }, async function greet(name: string) { return \`${greeting} \${name}\`; });\n`,
  );
}

describe('sluice dev', () => {
  const children: ReturnType<typeof spawn>[] = [];
  after(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  function startDev(dir: string, args: string[], env: Record<string, string>) {
    const { TEMPORAL_ADDRESS: _ignored, ...rest } = process.env;
    const child = spawn(process.execPath, [SLUICE_BIN, 'dev', ...args], { cwd: dir, env: { ...rest, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, output: () => output, exited };
  }

  test('starts a dev server and the worker, restarts the worker on a change, and Ctrl-C stops both', async () => {
    const dir = smallRepository('hello');
    const [port, uiPort] = [await freePort(), await freePort()];
    const storeUrl = `sqlite:${path.join(dir, 'data', 'sluice.db')}`;
    const dev = startDev(dir, ['--port', String(port), '--ui-port', String(uiPort)], { DATABASE_URL: storeUrl, SLUICE_TASK_QUEUE: uniqueName('dev') });
    await eventually(() => /worker ready/.test(dev.output()), 120_000, `sluice dev to be ready:\n${dev.output()}`);
    assert.match(dev.output(), new RegExp(`Temporal dev server on 127\\.0\\.0\\.1:${port}, Temporal Web on http://127\\.0\\.0\\.1:${uiPort}`));

    const store = await openStore(storeUrl); // migrated by `sluice dev`: this opener only checks
    const client = await SluiceClient.connect({ address: `127.0.0.1:${port}`, store });
    try {
      assert.equal(await client.waitForResult(await client.start('greetFlow', {})), 'hello dev');
      writeGreeting(dir, 'hi');
      await eventually(() => (dev.output().match(/worker ready/g) ?? []).length >= 2, 120_000, `the worker to restart:\n${dev.output()}`);
      assert.match(dev.output(), /a file changed: restarting the worker/);
      assert.equal(await client.waitForResult(await client.start('greetFlow', {})), 'hi dev');
    } finally {
      await client.close();
      await store.close();
    }

    dev.child.kill('SIGINT');
    assert.equal(await dev.exited, 0, dev.output());
    assert.ok(await isPortFree(port), 'the dev server stopped with it');
  });

  test('with TEMPORAL_ADDRESS it joins that server instead of starting one', async () => {
    const dir = smallRepository('hello');
    const dev = startDev(dir, ['--no-watch'], { TEMPORAL_ADDRESS: temporalAddress(), DATABASE_URL: `sqlite:${path.join(dir, 'sluice.db')}`, SLUICE_TASK_QUEUE: uniqueName('dev-join') });
    await eventually(() => /worker ready/.test(dev.output()), 120_000, `the worker to be ready:\n${dev.output()}`);
    assert.match(dev.output(), new RegExp(`joining Temporal at ${temporalAddress().replace(/\./g, '\\.')}`));
    assert.doesNotMatch(dev.output(), /Temporal dev server on/);
    dev.child.kill('SIGTERM');
    assert.equal(await dev.exited, 0, dev.output());
  });
});
