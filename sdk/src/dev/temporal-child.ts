/**
 * The embedded server's Temporal-client work, in a short-lived process of its own, for a caller that keeps the
 * Temporal client out of its memory: `npm start`'s supervisor runs for days and needs the client (about 60 MB
 * of it) only at start-up. Run as `node temporal-child.js COMMAND JSON`:
 *
 * - `prepare {"address","namespace","retentionDays","timeoutMs"}`: waits until the server answers, then puts
 *   Sluice's search attributes and retention in place (startDevServer's `prepareInChild`).
 * - `wait-for-pollers {"address","namespace","taskQueue","timeoutMs"}`: waits until a worker polls the task
 *   queue's flows (exit code 2 after `timeoutMs`).
 *
 * Exit code 0 when done; 1 with the reason on stderr.
 */
import { Connection } from '@temporalio/client';
import { TASK_QUEUE_TYPE_WORKFLOW } from '../temporal/enums';
import { NO_POLLERS } from './in-child';
import { prepareDevServer } from './prepare-server';

async function waitForPollers(o: { address: string; namespace: string; taskQueue: string; timeoutMs: number }): Promise<number> {
  const connection = await Connection.connect({ address: o.address });
  for (const deadline = Date.now() + o.timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
    const { pollers } = await connection.workflowService.describeTaskQueue({
      namespace: o.namespace,
      taskQueue: { name: o.taskQueue },
      taskQueueType: TASK_QUEUE_TYPE_WORKFLOW,
    });
    if (pollers.length > 0) return 0;
  }
  return NO_POLLERS;
}

if (require.main === module) {
  const [command, json] = process.argv.slice(2);
  const options = JSON.parse(json ?? '{}');
  const work = command === 'prepare' ? prepareDevServer(options).then(() => 0) : command === 'wait-for-pollers' ? waitForPollers(options) : Promise.reject(new Error(`unknown command ${command}`));
  // Exit at once: the connection's handles would keep the process alive a while.
  work.then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    },
  );
}
