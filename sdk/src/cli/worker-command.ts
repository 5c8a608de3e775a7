import { parseArgs } from 'node:util';
import { runWorker } from '../worker/run-worker';
import { registerTypeScript, repositoryConfig, REPOSITORY_OPTIONS } from './repository';
import { EXIT, type Command } from './usage';

export const workerCommand: Command = {
  summary: 'serve this repository\'s flows and tasks (and sync its deployments)',
  help: `Usage: sluice worker [--task-queue NAME] [--workflows PATH] [--activities PATH]

Serves the flows exported by the workflows module and the tasks exported by the activities module on
one task queue, syncs their deployments to Temporal Schedules, and publishes the flows to the store the
web app reads. The flows and schedules belong to this repository (package.json "sluice.repository", else
its name): it refuses a task queue that serves another repository's flows, and never retires or deletes
another repository's. Stops cleanly on SIGTERM/SIGINT.

Options (each overrides the environment variable in brackets):
  --task-queue NAME    the task queue to poll [SLUICE_TASK_QUEUE, default: package.json "sluice.taskQueue",
                       else sluice]
  --workflows PATH     the flows module [SLUICE_WORKFLOWS, default workflows]
  --activities PATH    the tasks module [SLUICE_ACTIVITIES, default activities]

Environment: TEMPORAL_ADDRESS (127.0.0.1:7233), TEMPORAL_NAMESPACE (default), TEMPORAL_TLS, TEMPORAL_TLS_CA_FILE,
TEMPORAL_TLS_CERT_FILE, TEMPORAL_TLS_KEY_FILE, TEMPORAL_TLS_SERVER_NAME, TEMPORAL_API_KEY (TLS, mTLS, API key; none),
SLUICE_URL and SLUICE_WORKER_TOKEN (the web app and this worker's token: how a team's worker runs; at start it asks
whether the web app serves this version, and exits 1 if not), DATABASE_URL (direct mode, the store itself: its schema
is checked, never changed: \`sluice migrate\` or the web app migrate it),
SLUICE_FLOWS_BUNDLE (flows bundled ahead by \`sluice build\`), SLUICE_SHUTDOWN_GRACE (30s), SLUICE_LOG_ECHO (WARN), SLUICE_EAGER_TASKS (100),
SLUICE_HEALTH_FILE (where to write the health report a container's healthcheck reads; none),
SLUICE_SPOOL_DIR (the log spool, $SLUICE_DATA_DIR/spool), SLUICE_SPOOL_MAX_BYTES (its bound, 1 GiB),
SLUICE_REPLAY_MAX_RUNS (open runs replayed on this code at start, 100; 0: none) and SLUICE_REPLAY_BUDGET_SECONDS (60):
the runs it cannot carry are logged and shown on the web app (docs/replay.md).`,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { 'task-queue': { type: 'string' }, ...REPOSITORY_OPTIONS },
    });
    registerTypeScript();
    await runWorker(repositoryConfig(values));
    return EXIT.ok;
  },
};
