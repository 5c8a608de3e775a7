// A machine whose `node` is older than 24 (Debian's /usr/bin/node) first on PATH: `npm install`, `npm start`
// and `npm test` stop at once and say what to run, instead of building for the wrong Node and crashing in the
// worker. They run in a copy of the checkout's top level (package.json, .npmrc, the checks), so a check that
// failed to stop could not install into, or start the suite of, this checkout.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { freshTmpDir } from '../harness/env';

const ROOT = path.resolve(__dirname, '../..');
const OLD_NODE = '/usr/bin/node';

function majorOf(node: string): number {
  const result = spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' });
  return result.status === 0 ? Number(result.stdout.split('.')[0]) : NaN;
}
const oldMajor = existsSync(OLD_NODE) ? majorOf(OLD_NODE) : NaN;
const skip = oldMajor < 24 ? false : `needs a Node.js older than 24 at ${OLD_NODE} (found ${Number.isNaN(oldMajor) ? 'none' : `v${oldMajor}`})`;

/** The environment of a shell whose PATH starts with the old node's folder, without this npm run's settings. */
function oldNodeEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'NODE_OPTIONS' && k !== 'NODE_TEST_CONTEXT'));
  return { ...env, PATH: `${path.dirname(OLD_NODE)}:${process.env.PATH}` };
}

describe('with a Node.js older than 24 first on PATH', { skip }, () => {
  let checkout: string;
  before(() => {
    checkout = freshTmpDir('old-node');
    for (const file of ['package.json', 'package-lock.json', '.npmrc', '.nvmrc', 'scripts/need-node.js', 'scripts/node.sh', 'sdk/package.json', 'sdk/bin']) {
      mkdirSync(path.dirname(path.join(checkout, file)), { recursive: true });
      cpSync(path.join(ROOT, file), path.join(checkout, file), { recursive: true });
    }
  });

  const npm = (...args: string[]) => spawnSync('npm', args, { cwd: checkout, env: oldNodeEnv(), encoding: 'utf8', timeout: 120_000 });
  const wantedLine = (version: string) =>
    `Sluice needs Node.js 24 or later, this is v${version} (${OLD_NODE}); run: export PATH="$(bash scripts/node.sh):$PATH"`;
  const oldVersion = () => spawnSync(OLD_NODE, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();

  for (const command of ['start', 'test']) {
    test(`npm ${command} stops before building or starting anything, with one line saying what to run`, () => {
      const result = npm(command);
      assert.equal(result.signal, null, 'it was not killed (no crash, no hang)');
      assert.equal(result.status, 1, result.stdout + result.stderr);
      assert.equal(result.stderr, `${wantedLine(oldVersion())}\n`, 'that one line is all it says');
      assert.doesNotMatch(result.stdout, /Segmentation fault|\n\s+at /);
      assert.doesNotMatch(result.stdout, /sluice@\d+\.\d+\.\d+ build/, 'the build did not start');
    });
  }

  test('npm install refuses before it fetches or builds anything, naming the Node.js it needs', () => {
    const result = npm('install', '--no-audit', '--no-fund');
    assert.equal(result.signal, null);
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /EBADENGINE/);
    assert.match(result.stderr, /Required: \{"node":">=24"\}/);
    assert.match(result.stderr, new RegExp(`Actual: +\\{"node":"v${oldVersion().replaceAll('.', '\\.')}"`));
    assert.ok(!existsSync(path.join(checkout, 'node_modules')), 'nothing was installed');
  });

  test('the sluice command (npm run worker, npx sluice) stops with one line too', () => {
    const result = spawnSync(OLD_NODE, [path.join(checkout, 'sdk/bin/sluice.js'), 'worker'], { cwd: checkout, env: oldNodeEnv(), encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.equal(result.stderr, `Sluice needs Node.js 24 or later, this is v${oldVersion()} (${OLD_NODE}); install it (https://nodejs.org) or put it first on PATH.\n`);
    assert.equal(result.stdout, '');
  });
});
