// What the log spool tests assert on a run of test/fixtures/spool-flows.ts: every line of the attempt that completed
// each task is in the store exactly once (lines of killed attempts may be there too), and every line of the flow
// is there (a flow's step cut short by a kill runs again, so its line may be there twice).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { RunRef, SluiceClient } from 'sluice/client';
import { SLUICE_BIN } from 'sluice/internal/dev';
import type { Store } from 'sluice/internal/store';
import { freshTmpDir } from '../harness/env';
import type { TestWorker } from '../harness/worker';

export const spoolFixtures = {
  workflows: path.resolve(__dirname, '../fixtures/spool-flows.ts'),
  activities: path.resolve(__dirname, '../fixtures/spool-tasks.ts'),
};

/** The fixtures bundled once (each restart then takes seconds, not a bundling) and a spool directory of their own. */
export function spoolWorkerEnv(): Record<string, string> {
  const bundle = path.join(freshTmpDir('spool-bundle'), 'flows.js');
  const args = [SLUICE_BIN, 'build', '--out', bundle, '--workflows', spoolFixtures.workflows, '--activities', spoolFixtures.activities];
  const built = spawnSync(process.execPath, args, { encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);
  return { SLUICE_FLOWS_BUNDLE: bundle, SLUICE_SPOOL_DIR: freshTmpDir('spool-dir') };
}

export async function assertEveryCompletedLine(store: Store, runId: string, attempts: number[], lines: number): Promise<void> {
  const rows = await store.db.selectFrom('logs').select(['message', 'attempt']).where('run_id', '=', runId).execute();
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(`${row.message}#${row.attempt}`, (counts.get(`${row.message}#${row.attempt}`) ?? 0) + 1);
  const wrong: string[] = [];
  attempts.forEach((attempt, step) => {
    for (let i = 0; i < lines; i++) {
      const n = counts.get(`step ${step} line ${i}#${attempt}`) ?? 0;
      if (n !== 1) wrong.push(`step ${step} line ${i} (attempt ${attempt}) is there ${n} times`);
    }
    if (!rows.some((r) => r.message === `flow passed step ${step}`)) wrong.push(`the flow's line after step ${step} is missing`);
  });
  assert.deepEqual(wrong.slice(0, 20), [], `run ${runId}: ${wrong.length} lines wrong`);
}

/**
 * Waits for the runs to complete on `worker`, stops it (SIGTERM: exit 0), then checks every run's lines. Returns
 * the attempt that completed each task of each run.
 */
export async function finishAndCheck(client: SluiceClient, store: Store, worker: TestWorker, refs: RunRef[], lines: number): Promise<number[][]> {
  let results: number[][];
  try {
    results = await Promise.all(refs.map((ref) => client.waitForResult(ref) as Promise<number[]>));
  } finally {
    assert.equal(await worker.stop(), 0, worker.output());
  }
  for (const [i, ref] of refs.entries()) await assertEveryCompletedLine(store, ref.runId, results[i]!, lines);
  return results;
}
