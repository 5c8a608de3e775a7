/**
 * What a running worker keeps for its whole life: the flows' bundle as a file Temporal reads (not a second copy of
 * the code in memory) that it removes when it stops, and no TypeScript compiler process once its code is loaded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { treeProcesses } from '../../bench/lib/proc';
import { freshTmpDir } from '../harness/env';
import { startWorker } from '../harness/worker';
import { spoolFixtures } from './log-spool-check';

const bundlesOf = (pid: number) => readdirSync(os.tmpdir()).filter((n) => n.startsWith(`sluice-flows-${pid}-`));

test('a worker serves its flows from a bundle file it removes on stop, removes those of killed workers, and keeps no compiler running', async () => {
  // A worker killed earlier left its bundle behind; a live process's bundle is not an orphan.
  const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
  const orphan = path.join(os.tmpdir(), `sluice-flows-${deadPid}-1.js`);
  const live = path.join(os.tmpdir(), `sluice-flows-${process.pid}-1.js`);
  writeFileSync(orphan, '// left by a killed worker\n');
  writeFileSync(live, '// a running worker\n');
  try {
    const worker = await startWorker({
      taskQueue: 'worker-footprint',
      storeUrl: `sqlite:${path.join(freshTmpDir('footprint'), 'sluice.db')}`,
      workflows: spoolFixtures.workflows,
      activities: spoolFixtures.activities,
    });
    const pid = worker.process.pid!;
    try {
      assert.equal(existsSync(orphan), false, 'the bundle of a worker that is gone is removed');
      assert.equal(existsSync(live), true, "a live process's bundle stays");
      assert.equal(bundlesOf(pid).length, 1, `the worker serves one bundle file: ${bundlesOf(pid).join(', ')}`);
      // The flows are TypeScript, loaded through esbuild: its service process is stopped once they are in.
      assert.deepEqual(treeProcesses(pid).filter((p) => /esbuild/.test(p.command)).map((p) => p.command), [], 'no esbuild service left running');
    } finally {
      await worker.stop();
    }
    assert.deepEqual(bundlesOf(pid), [], 'the worker removed its bundle when it stopped');
  } finally {
    rmSync(orphan, { force: true });
    rmSync(live, { force: true });
  }
});
