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
// The times and the report's form are the health contract (docs/health.md), read from the worker's own `sluice`.
'use strict';
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const path = require('node:path');

const WORKFLOW_TASK_QUEUE = 1; // temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW
// A worker whose `sluice` predates the contract file writes reports by these same rules (the test holds them equal).
const CONTRACT_BEFORE_THE_FILE = { checkEverySeconds: 15, pollFreshSeconds: 90, reportMaxAgeSeconds: 60 };

/** The health contract: the worker's `sluice` (run from its directory), else this checkout's, else the rules from before. */
function healthContract(cwd = process.cwd()) {
  const places = [];
  try {
    places.push(path.join(path.dirname(createRequire(`${cwd}/`).resolve('sluice/package.json')), 'lib/worker/health-contract.json'));
  } catch {
    // no `sluice` here (the healthcheck's own tests, a checkout without node_modules)
  }
  places.push(path.join(__dirname, '../sdk/src/worker/health-contract.json'));
  for (const place of places) {
    try {
      return JSON.parse(readFileSync(place, 'utf8'));
    } catch {
      // not there: the next place
    }
  }
  return CONTRACT_BEFORE_THE_FILE;
}

// An ISO time with its zone (Z or an offset): without one, a time means another instant on each machine.
const ZONED_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/;

/** Throws why the report at `file` does not say healthy (ok, and at most reportMaxAgeSeconds old at `now`). */
function checkReport(file, now = Date.now(), contract = healthContract()) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err.code === 'ENOENT') throw new Error(`no health report at ${file} yet (the worker writes one every ${contract.checkEverySeconds} s once it polls)`);
    throw new Error(`${file} is not a health report: ${err.message}`);
  }
  let report;
  try {
    report = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not a health report: ${err.message}`);
  }
  const checkedAt = ZONED_TIME.test(report?.checkedAt) ? Date.parse(report.checkedAt) : NaN;
  if (typeof report?.ok !== 'boolean' || Number.isNaN(checkedAt)) throw new Error(`${file} is not a health report: it has no ok and checkedAt`);
  const age = Math.max(0, Math.round((now - checkedAt) / 1000));
  if (age > contract.reportMaxAgeSeconds) throw new Error(`the last health report (${file}) is ${age} s old: the worker has stopped checking in`);
  if (!report.ok) throw new Error(`${report.reason ?? 'not ok'} (${age} s ago)`);
}

// The worker's own TEMPORAL_* settings (TLS, API key) through sluice's one reader of them (`sluice/internal/temporal`,
// `sluice/temporal` before 0.3.0's surface cut); a `sluice` from before either had none (plain gRPC to TEMPORAL_ADDRESS).
function connectionOptions(load) {
  let temporal = {};
  for (const entry of ['sluice/internal/temporal', 'sluice/temporal']) {
    try {
      temporal = load(entry);
      break;
    } catch {
      // not in this version of sluice: try the older entry
    }
  }
  if (typeof temporal.connectionOptions === 'function') return temporal.connectionOptions();
  return { address: process.env.TEMPORAL_ADDRESS || '127.0.0.1:7233' };
}

async function askTemporal() {
  const { hostname } = require('node:os');
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
    const freshS = healthContract().pollFreshSeconds;
    const ours = (pollers ?? []).filter((p) => (p.identity ?? '').endsWith(`@${host}`));
    const fresh = ours.some((p) => Date.now() - Number(p.lastAccessTime?.seconds ?? 0) * 1000 < freshS * 1000);
    if (!fresh) throw new Error(`no worker of ${host} has polled task queue ${taskQueue} in the last ${freshS} s`);
  } finally {
    await connection.close();
  }
}

async function main() {
  const file = process.env.SLUICE_HEALTH_FILE;
  if (file) checkReport(file);
  else await askTemporal();
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(`worker healthcheck: ${err.message}`);
      process.exit(1);
    },
  );
}

// For the contract's shared cases (test/deploy/worker-healthcheck.test.ts).
module.exports = { checkReport, healthContract, CONTRACT_BEFORE_THE_FILE };
