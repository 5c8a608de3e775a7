/**
 * The bare Temporal SDK worker the overhead benchmark compares Sluice's with: a plain `Worker.create` with
 * `workflowsPath` and the SDK's defaults, except the one worker setting Sluice changes (as many tasks started
 * eagerly per flow step as Sluice's default), so the figure is what Sluice's own code costs. Runs until SIGTERM.
 * Reads TEMPORAL_ADDRESS (and the other TEMPORAL_* connection settings) and BENCH_TASK_QUEUE.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { connectionOptions } from 'sluice/internal/temporal';
import { workerConfigFromEnv } from 'sluice/internal/worker';
import * as activities from './raw-tasks';

async function run(): Promise<void> {
  const connection = await NativeConnection.connect(connectionOptions());
  try {
    const worker = await Worker.create({
      connection,
      namespace: 'default',
      taskQueue: process.env.BENCH_TASK_QUEUE!,
      workflowsPath: require.resolve('./raw-flows'),
      activities,
      maxEagerActivityReservationsPerWorkflowTask: workerConfigFromEnv().eagerTasks,
    });
    console.log(`raw worker ready: task queue ${process.env.BENCH_TASK_QUEUE}`);
    await worker.run();
  } finally {
    await connection.close();
  }
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
