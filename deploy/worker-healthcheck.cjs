// Healthcheck of a Sluice worker container (docker-compose.yml mounts it into every worker service): exits 0
// when a worker of THIS container polls its task queue, as Temporal sees it, else 1 with the reason.
// A worker's identity is `PID@HOSTNAME` (the Temporal SDK's default) and a container's hostname is its own,
// so another container's worker on the same queue does not count. Run from the worker's directory
// (/app, the images' WORKDIR), whose node_modules has @temporalio/client as a dependency of `sluice`.
// Environment: the worker's own TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and SLUICE_TASK_QUEUE.
'use strict';
const { createRequire } = require('node:module');
const { hostname } = require('node:os');
const { Connection } = createRequire(`${process.cwd()}/`)('@temporalio/client');

const WORKFLOW_TASK_QUEUE = 1; // temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW
// Temporal lists a poller for a few minutes after its last poll; a live worker polls at least every minute.
const FRESH_MS = 90_000;

async function main() {
  const taskQueue = process.env.SLUICE_TASK_QUEUE;
  if (!taskQueue) throw new Error('SLUICE_TASK_QUEUE is not set');
  const host = hostname();
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS || '127.0.0.1:7233', connectTimeout: '3s' });
  try {
    const { pollers } = await connection.workflowService.describeTaskQueue({
      namespace: process.env.TEMPORAL_NAMESPACE || 'default',
      taskQueue: { name: taskQueue },
      taskQueueType: WORKFLOW_TASK_QUEUE,
    });
    const ours = (pollers ?? []).filter((p) => (p.identity ?? '').endsWith(`@${host}`));
    const fresh = ours.some((p) => Date.now() - Number(p.lastAccessTime?.seconds ?? 0) * 1000 < FRESH_MS);
    if (!fresh) throw new Error(`no worker of ${host} has polled task queue ${taskQueue} in the last ${FRESH_MS / 1000} s`);
  } finally {
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`worker healthcheck: ${err.message}`);
    process.exit(1);
  },
);
