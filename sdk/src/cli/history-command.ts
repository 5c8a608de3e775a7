import { Client } from '@temporalio/client';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { historyFileName } from '../replay/history-files';
import { historyToJson } from '../replay/history-json';
import { queueRunHistories } from '../replay/open-runs';
import { connect } from '../temporal';
import { repositoryConfig } from './repository';
import { EXIT, UsageError, type Command } from './usage';

const DEFAULT_LIMIT = 20;

export const historyCommand: Command = {
  summary: 'export run histories to files, for `sluice check --replay` (replay tests in CI)',
  help: `Usage: sluice history export [--queue QUEUE] [--all] [--limit N] [--out DIR] [WORKFLOW_ID...]

Writes runs' histories from Temporal to DIR (default replay), one JSON file per run, named by flow and run id —
Temporal's own JSON, as Temporal Web downloads it. Keep them in the repository: \`sluice check --replay DIR\`
replays them on the flows as they are now, so a change that would leave such runs "waiting for a fix" fails CI
before it is deployed. See docs/replay.md.

Without WORKFLOW_IDs it exports the runs still going on the task queue (those a deploy must carry).
Connects to Temporal as the worker does (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS, API key).

Options:
  --queue QUEUE   the task queue [SLUICE_TASK_QUEUE, else the repository's, else sluice]
  --all           every run Temporal keeps on the queue, finished ones too (not only running ones)
  --limit N       at most N runs (default ${DEFAULT_LIMIT})
  --out DIR       where to write (default replay)`,
  async run(args) {
    const [sub, ...rest] = args;
    if (sub !== 'export') throw new UsageError(sub === undefined ? 'say what to do: sluice history export …' : `unknown subcommand ${JSON.stringify(sub)} (only export)`);
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { queue: { type: 'string' }, all: { type: 'boolean' }, limit: { type: 'string' }, out: { type: 'string', default: 'replay' } },
    });
    const limit = values.limit === undefined ? DEFAULT_LIMIT : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a whole number of at least 1, got ${JSON.stringify(values.limit)}`);
    const config = repositoryConfig({ 'task-queue': values.queue });
    const connection = await connect(config.temporal);
    try {
      const client = new Client({ connection, namespace: config.temporal.namespace });
      const runs = positionals.length
        ? byWorkflowId(client, positionals)
        : queueRunHistories(client, { taskQueue: config.taskQueue, open: !values.all, limit });
      await mkdir(values.out, { recursive: true });
      let written = 0;
      for await (const run of runs) {
        const file = path.join(values.out, historyFileName(run.flow, run.runId));
        await writeFile(file, historyToJson(run.history as Parameters<typeof historyToJson>[0]) + '\n');
        console.log(`${file}: flow ${run.flow}, run ${run.workflowId} / ${run.runId}`);
        written++;
      }
      const what = positionals.length ? `the run(s) ${positionals.join(', ')}` : `${values.all ? 'runs' : 'running runs'} of task queue ${config.taskQueue}`;
      console.log(`sluice history export: ${written} history(ies) of ${what} written to ${values.out}`);
      return EXIT.ok;
    } finally {
      await connection.close();
    }
  },
};

/** The latest run of each workflow id. */
async function* byWorkflowId(client: Client, workflowIds: string[]) {
  for (const workflowId of workflowIds) {
    const handle = client.workflow.getHandle(workflowId);
    const { runId, type } = await handle.describe();
    yield { workflowId, runId, flow: type, history: await handle.fetchHistory() };
  }
}
