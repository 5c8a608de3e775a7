/** sdk/bin/temporal-cli.sh: which `temporal` binary it picks, and what it says when there is none. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findTemporalCli } from 'sluice/internal/dev';
import { freshTmpDir } from '../harness/env';

const script = join(__dirname, '..', '..', 'sdk', 'bin', 'temporal-cli.sh');
// A PATH with the usual tools but no `temporal` (and no Go: /usr/local/go/bin is not in it).
const bareEnv = (extra: Record<string, string>) => ({ HOME: process.env.HOME ?? '/root', PATH: '/usr/bin:/bin', ...extra });

function fakeBinary(path: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\necho fake temporal\n');
  chmodSync(path, 0o755);
}

test('finds the binary in the per-machine cache (SLUICE_CACHE)', () => {
  const cache = freshTmpDir('cli-cache');
  const cached = join(cache, 'temporal-1.5.1', 'temporal');
  fakeBinary(cached);
  const result = spawnSync('bash', [script], { env: bareEnv({ SLUICE_CACHE: cache }), encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, `${cached}\n`, 'only the path goes to stdout');
  assert.match(result.stderr, /using cached/);
});

test('a temporal on PATH wins over the cache', () => {
  const cache = freshTmpDir('cli-cache');
  fakeBinary(join(cache, 'temporal-1.5.1', 'temporal'));
  const bin = freshTmpDir('cli-path');
  fakeBinary(join(bin, 'temporal'));
  const env = { ...bareEnv({ SLUICE_CACHE: cache }), PATH: `${bin}:/usr/bin:/bin` };
  const result = spawnSync('bash', [script], { env, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), join(bin, 'temporal'));
});

test('without a binary and without Go it fails with instructions', () => {
  const cache = freshTmpDir('cli-empty');
  const result = spawnSync('bash', [script], { env: bareEnv({ SLUICE_CACHE: cache, SLUICE_GO: '/nonexistent/go' }), encoding: 'utf8' });
  assert.equal(result.status, 1);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /Go is not installed/);
  assert.match(result.stderr, /install Go/);
  assert.match(result.stderr, /'temporal' binary on PATH/);
});

test('findTemporalCli returns a working Temporal CLI on this machine', async () => {
  const cli = await findTemporalCli();
  assert.ok(cli.startsWith('/'), `absolute path expected, got ${cli}`);
  const version = spawnSync(cli, ['--version'], { encoding: 'utf8' });
  assert.equal(version.status, 0, version.stderr);
  assert.match(version.stdout, /temporal version .*Server \d+\.\d+/);
});
