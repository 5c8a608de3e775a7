import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { readHistoryFolder } from '../replay/history-files';
import { REPLAY_ADVICE, replayHistories } from '../replay/replay-histories';
import { bundleFlows } from '../worker/bundle';
import { loadRepository, REPOSITORY_OPTIONS } from './repository';
import { EXIT, UsageError, type Command } from './usage';

export const checkCommand: Command = {
  summary: 'load and check every flow, task and deployment without connecting (a CI step)',
  help: `Usage: sluice check [--workflows PATH] [--activities PATH] [--no-bundle] [--replay DIR]

Loads the workflows and activities modules and checks every declaration as \`sluice worker\` does at
start — flow names, parameter schemas, deployments (cron, interval, timezone, parameters) — then bundles
the flows as Temporal's sandbox will run them, which catches a flow importing Node built-ins or task
code. Connects to nothing. Exit code 0 when all is well, 1 with one line per problem otherwise.

With --replay DIR it also replays every run history in DIR (*.json, Temporal's JSON: written by
\`sluice history export\`, downloaded from Temporal Web) on the flows as they are now: a history that does
not replay is a run this code would leave "waiting for a fix". See docs/replay.md.

Options:
  --workflows PATH     the flows module [SLUICE_WORKFLOWS, default workflows]
  --activities PATH    the tasks module [SLUICE_ACTIVITIES, default activities]
  --no-bundle          skip the bundle (faster; checks declarations only)
  --replay DIR         replay the run histories in DIR on the flows (needs the bundle)`,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { ...REPOSITORY_OPTIONS, 'no-bundle': { type: 'boolean' }, replay: { type: 'string' } },
    });
    if (values.replay !== undefined && values['no-bundle']) throw new UsageError('--replay replays histories on the bundle: it cannot go with --no-bundle');
    const { config, project } = loadRepository(values);
    // Read before bundling: a folder that is missing or holds a broken file fails in a second, not after webpack.
    const histories = values.replay === undefined ? undefined : await readHistoryFolder(values.replay);
    const bundle = values['no-bundle'] ? undefined : await bundleFlows(project.workflowsPath, project.taskOptions);
    if (histories && bundle && !(await replayFolder(values.replay!, histories, bundle))) return EXIT.failed;
    const deployments = project.flows.reduce((n, f) => n + (f.declaration.deployments?.length ?? 0), 0);
    console.log(
      `sluice check: ok — ${project.flows.length} flow(s) (${project.flows.map((f) => f.name).join(', ')}), ` +
        `${Object.keys(project.activities).length} task(s), ${deployments} deployment(s)${values['no-bundle'] ? '' : ', flows bundle'}; ` +
        `task queue ${config.taskQueue}${config.repository ? `, repository ${config.repository}` : ''}`,
    );
    return EXIT.ok;
  },
};

/** Replays each history, one line per one that fails; true when all replay. */
async function replayFolder(dir: string, histories: Awaited<ReturnType<typeof readHistoryFolder>>, bundle: { code: string }): Promise<boolean> {
  if (histories.length === 0) {
    console.log(`sluice check: no histories in ${dir} to replay (add some with \`sluice history export --out ${dir}\`)`);
    return true;
  }
  // Temporal's replay worker warns of every failed replay with a stack; the line below says it once, readably.
  Runtime.install({ logger: new DefaultLogger('ERROR', () => {}) });
  let failed = 0;
  for await (const v of replayHistories(bundle, histories)) {
    if (!v.reason) continue;
    failed++;
    console.error(`${v.source}: the run of flow ${v.flow} does not replay on this code: ${v.reason.split('\n', 1)[0]} — ${REPLAY_ADVICE}`);
  }
  if (failed) {
    console.error(`sluice check: ${failed} of ${histories.length} history(ies) in ${dir} do not replay: runs like them would stop, waiting for a fix, once this code is deployed`);
    return false;
  }
  console.log(`sluice check: ${histories.length} history(ies) in ${dir} replay on this code`);
  return true;
}
