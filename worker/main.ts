/** `npm run worker`: serves the flows in workflows/ and the tasks in activities/ (see worker/config.ts). */
import { workerConfigFromEnv } from './config';
import { ProjectError } from './project';
import { runWorker, TemporalUnreachableError } from './run-worker';

runWorker(workerConfigFromEnv())
  .then(() => process.exit(0))
  .catch((err) => {
    // Problems a user fixes (a declaration, an address) are said in words; a stack would only hide them.
    const readable = err instanceof ProjectError || err instanceof TemporalUnreachableError;
    console.error(readable ? err.message : err);
    process.exit(1);
  });
