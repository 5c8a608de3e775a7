/** `npm run worker`: serves the flows in workflows/ and the tasks in activities/ (see worker/config.ts). */
import { workerConfigFromEnv } from './config';
import { ProjectError } from './project';
import { runWorker } from './run-worker';

runWorker(workerConfigFromEnv())
  .then(() => process.exit(0))
  .catch((err) => {
    // A declaration problem is the developer's to fix: its message says where; a stack would only hide it.
    console.error(err instanceof ProjectError ? err.message : err);
    process.exit(1);
  });
