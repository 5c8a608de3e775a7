// `sluice check --replay DIR` on a history kept in the repository (test/fixtures/replay/histories: a real run of
// meter-v1.ts, exported with `sluice history export` while it waited on its timer): an incompatible change of
// the flow fails with the file, the flow, Temporal's reason and the fix; the same change made with patched()
// passes; a missing folder, a file that is no history and a contradictory flag are refused in one line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { SLUICE_BIN } from 'sluice/internal/dev';
import { freshTmpDir } from '../harness/env';
import { FIXTURES } from '../harness/sluice';

const HISTORIES = path.resolve(__dirname, '../fixtures/replay/histories');
const FILE = 'meterReadings-01a24b73-5921-7143-b0d6-bb0145b33c57.json';
const flows = (v: number) => path.resolve(__dirname, `../fixtures/replay/meter-v${v}.ts`);

const check = (v: number, ...args: string[]) =>
  spawnSync(process.execPath, [SLUICE_BIN, 'check', '--workflows', flows(v), '--activities', FIXTURES.activities, ...args], { encoding: 'utf8' });

describe('sluice check --replay', () => {
  test('an incompatible change fails: the file, the flow, why, and how to fix it (exit 1)', () => {
    const result = check(2, '--replay', HISTORIES);
    assert.equal(result.status, 1, result.stdout + result.stderr);
    const [line, summary] = result.stderr.trim().split('\n');
    assert.match(line!, new RegExp(`^${HISTORIES}/${FILE.replace(/\./g, '\\.')}: the run of flow meterReadings does not replay on this code: .*[Nn]ondeterminism.* — guard the change with patched\\(\\), or keep the previous version serving this run until it ends \\(docs/replay\\.md\\)$`));
    assert.match(summary!, /^sluice check: 1 of 1 history\(ies\) in .* do not replay: runs like them would stop, waiting for a fix, once this code is deployed$/);
  });

  test('the same change guarded by patched() replays (exit 0)', () => {
    const result = check(3, '--replay', HISTORIES);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /sluice check: 1 history\(ies\) in .* replay on this code/);
  });

  test('refuses what it cannot replay in one line, before bundling', () => {
    const missing = check(1, '--replay', path.join(freshTmpDir('replay'), 'nowhere'));
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^sluice check: cannot read the histories folder .*nowhere: it does not exist \(export histories into it with `sluice history export --out .*nowhere`\)\n$/);

    const dir = freshTmpDir('replay');
    writeFileSync(path.join(dir, 'broken.json'), '{"events": [');
    const broken = check(1, '--replay', dir);
    assert.equal(broken.status, 1);
    assert.match(broken.stderr, /^sluice check: .*broken\.json: not a JSON history \(/);
    writeFileSync(path.join(dir, 'broken.json'), '{"events": [{"eventId": "1"}]}');
    const notARun = check(1, '--replay', dir);
    assert.match(notARun.stderr, /broken\.json: not a run's history \(expected Temporal's JSON/);

    const contradiction = check(1, '--replay', dir, '--no-bundle');
    assert.equal(contradiction.status, 2);
    assert.match(contradiction.stderr, /--replay replays histories on the bundle: it cannot go with --no-bundle/);
  });
});

describe('sluice history', () => {
  test('says what it does and refuses bad usage (exit 2)', () => {
    const sluice = (...args: string[]) => spawnSync(process.execPath, [SLUICE_BIN, ...args], { encoding: 'utf8' });
    assert.match(sluice('history', '--help').stdout, /^Usage: sluice history export/);
    assert.equal(sluice('history').status, 2);
    const badLimit = sluice('history', 'export', '--limit', '0');
    assert.equal(badLimit.status, 2);
    assert.match(badLimit.stderr, /--limit must be a whole number of at least 1, got "0"/);
  });
});
