/** Child process of the worker: bundles the flows and writes the code to a file (see bundle.ts). */
import { writeFile } from 'node:fs/promises';
import { bundleFlows, TASK_OPTIONS_ENV } from './bundle';

const [workflowsPath, out] = process.argv.slice(2);
bundleFlows(workflowsPath!, JSON.parse(process.env[TASK_OPTIONS_ENV] ?? '{}'))
  .then((bundle) => writeFile(out!, bundle.code))
  .then(
    () => process.exit(0),
    (e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
