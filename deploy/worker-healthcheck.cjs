// Healthcheck of a Sluice worker container (docker-compose.yml mounts it into every worker service): exits 0
// when a worker of THIS container polls its task queue, as Temporal sees it, else 1 with the reason.
//
// With SLUICE_HEALTH_FILE set (the worker images set it), the worker itself asks Temporal every 15 s and
// writes the answer there (sdk/src/worker/health.ts); this only reads it: healthy when the report says ok and
// is at most 60 s old. Asking Temporal from here cost a Node process loading the Temporal client every 30 s
// (0.6 s of CPU, 100 MB) per container.
//
// Without it (an image built before the worker wrote reports), it asks Temporal itself: a worker's identity is
// `PID@HOSTNAME` (the Temporal SDK's default) and a container's hostname is its own, so another container's
// worker on the same queue does not count. Run from the worker's directory (/app, the images' WORKDIR), whose
// node_modules has @temporalio/client as a dependency of `sluice`.
// Environment: the worker's own SLUICE_HEALTH_FILE, or TEMPORAL_ADDRESS (with TEMPORAL_TLS_* and TEMPORAL_API_KEY
// when Temporal asks for them), TEMPORAL_NAMESPACE and SLUICE_TASK_QUEUE.
'use strict';
const { readFileSync } = require('node:fs');

// Four missed checks: a worker too busy for one check is not yet unhealthy.
const REPORT_MAX_AGE_S = 60;
const WORKFLOW_TASK_QUEUE = 1; // temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW
// Temporal lists a poller for a few minutes after its last poll; a live worker polls at least every minute.
const FRESH_MS = 90_000;

function checkReport(file) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err.code === 'ENOENT') throw new Error(`no health report at ${file} yet (the worker writes one every 15 s once it polls)`);
    throw new Error(`${file} is not a health report: ${err.message}`);
  }
  let report;
  try {
    report = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not a health report: ${err.message}`);
  }
  const checkedAt = Date.parse(report?.checkedAt);
  if (typeof report?.ok !== 'boolean' || Number.isNaN(checkedAt)) throw new Error(`${file} is not a health report: it has no ok and checkedAt`);
  const age = Math.max(0, Math.round((Date.now() - checkedAt) / 1000));
  if (age > REPORT_MAX_AGE_S) throw new Error(`the last health report (${file}) is ${age} s old: the worker has stopped checking in`);
  if (!report.ok) throw new Error(`${report.reason ?? 'not ok'} (${age} s ago)`);
}

// The worker's own TEMPORAL_* settings (TLS, API key) through sluice's one reader of them; a `sluice` from
// before it had none (plain gRPC to TEMPORAL_ADDRESS).
function connectionOptions(load) {
  let temporal;
  try {
    temporal = load('sluice/temporal');
  } catch {
    temporal = {};
  }
  if (typeof temporal.connectionOptions === 'function') return temporal.connectionOptions();
  return { address: process.env.TEMPORAL_ADDRESS || '127.0.0.1:7233' };
}

async function askTemporal() {
  const { hostname } = require('node:os');
  const { createRequire } = require('node:module');
  const load = createRequire(`${process.cwd()}/`);
  const { Connection } = load('@temporalio/client');
  const taskQueue = process.env.SLUICE_TASK_QUEUE;
  if (!taskQueue) throw new Error('SLUICE_TASK_QUEUE is not set');
  const host = hostname();
  const connection = await Connection.connect({ ...connectionOptions(load), connectTimeout: '3s' });
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

async function main() {
  const file = process.env.SLUICE_HEALTH_FILE;
  if (file) checkReport(file);
  else await askTemporal();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`worker healthcheck: ${err.message}`);
    process.exit(1);
  },
);
