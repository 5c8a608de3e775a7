import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bundleFlows, bundleHeader } from '../worker/bundle';
import { loadRepository, REPOSITORY_OPTIONS } from './repository';
import { EXIT, type Command } from './usage';

export const buildCommand: Command = {
  summary: 'bundle the flows ahead of time, so a worker image starts in a second',
  help: `Usage: sluice build [--out FILE] [--workflows PATH] [--activities PATH]

Checks the declarations like \`sluice check\` and writes the flows bundle a worker would otherwise build
at every start. Run it in the image build and point the worker at it with SLUICE_FLOWS_BUNDLE=FILE; a
worker refuses a bundle built from other task declarations than the ones it loads.

Options:
  --out FILE           where to write the bundle [default dist/flows.js]
  --workflows PATH     the flows module [SLUICE_WORKFLOWS, default workflows]
  --activities PATH    the tasks module [SLUICE_ACTIVITIES, default activities]`,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { out: { type: 'string' }, ...REPOSITORY_OPTIONS },
    });
    const { project } = loadRepository(values);
    const { code } = await bundleFlows(project.workflowsPath, project.taskOptions);
    const out = path.resolve(values.out ?? 'dist/flows.js');
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, bundleHeader(project.taskOptions) + code);
    console.log(`sluice build: wrote ${path.relative(process.cwd(), out)} (${(code.length / 1024).toFixed(0)} KiB, ${project.flows.length} flow(s))`);
    return EXIT.ok;
  },
};
