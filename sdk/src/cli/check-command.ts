import { parseArgs } from 'node:util';
import { bundleFlows } from '../worker/bundle';
import { loadRepository, REPOSITORY_OPTIONS } from './repository';
import { EXIT, type Command } from './usage';

export const checkCommand: Command = {
  summary: 'load and check every flow, task and deployment without connecting (a CI step)',
  help: `Usage: sluice check [--workflows PATH] [--activities PATH] [--no-bundle]

Loads the workflows and activities modules and checks every declaration as \`sluice worker\` does at
start — flow names, parameter schemas, deployments (cron, interval, timezone, parameters) — then bundles
the flows as Temporal's sandbox will run them, which catches a flow importing Node built-ins or task
code. Connects to nothing. Exit code 0 when all is well, 1 with one line per problem otherwise.

Options:
  --workflows PATH     the flows module [SLUICE_WORKFLOWS, default workflows]
  --activities PATH    the tasks module [SLUICE_ACTIVITIES, default activities]
  --no-bundle          skip the bundle (faster; checks declarations only)`,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { ...REPOSITORY_OPTIONS, 'no-bundle': { type: 'boolean' } },
    });
    const { config, project } = loadRepository(values);
    if (!values['no-bundle']) await bundleFlows(project.workflowsPath, project.taskOptions);
    const deployments = project.flows.reduce((n, f) => n + (f.declaration.deployments?.length ?? 0), 0);
    console.log(
      `sluice check: ok — ${project.flows.length} flow(s) (${project.flows.map((f) => f.name).join(', ')}), ` +
        `${Object.keys(project.activities).length} task(s), ${deployments} deployment(s)${values['no-bundle'] ? '' : ', flows bundle'}; ` +
        `task queue ${config.taskQueue}${config.repository ? `, repository ${config.repository}` : ''}`,
    );
    return EXIT.ok;
  },
};
