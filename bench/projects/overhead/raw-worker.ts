/**
 * The bare Temporal SDK worker the overhead benchmark compares Sluice's with: a plain `Worker.create` with
 * `workflowsPath`, default settings (the same defaults Sluice's worker leaves in place), until SIGTERM.
 * Reads TEMPORAL_ADDRESS and BENCH_TASK_QUEUE.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import * as activities from './raw-tasks';

async function run(): Promise<void> {
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  try {
    const worker = await Worker.create({
      connection,
      namespace: 'default',
      taskQueue: process.env.BENCH_TASK_QUEUE!,
      workflowsPath: require.resolve('./raw-flows'),
      activities,
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
