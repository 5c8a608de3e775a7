/**
 * What a worker needs from Sluice besides Temporal, whichever way it reaches it: the sink its log shipper
 * writes to, the start-up publish of its queue's flows, reads of its queue's catalog, and the report of the open
 * runs its code cannot replay.
 *
 * - remote (SLUICE_URL + SLUICE_WORKER_TOKEN): through the web app's worker API, with a worker token that may
 *   touch only its task queues' runs and flows — how a team's worker runs (compose, `npm start`);
 * - direct (DATABASE_URL, or the SQLite file): the store itself, with the database's credential — for tests and
 *   single-process development.
 */
import type { Client } from '@temporalio/client';
import type { DeclaredRule } from '../notify/rules';
import { openStore, redactUrl, type FlowEntry, type LogSink, type TaskEntry } from '../store';
import type { ReplayFindingsRequest } from '../worker-api/wire';
import { publishQueueFlows } from '../worker-api/publish';
import { WorkerApiClient } from '../worker-api/client';
import type { WorkerConfig } from './config';
import type { TakeOver } from './flow-names';

export interface WorkerBackend extends LogSink {
  /** For messages: the store's redacted URL, or the worker API's. */
  readonly where: string;
  /** Claims the names and publishes the queue's flows and their code notification rules; returns the take-overs. */
  publishFlows(client: Client, input: { taskQueue: string; repository?: string; flows: FlowEntry[]; rules: DeclaredRule[] }): Promise<TakeOver[]>;
  flowsOfQueue(taskQueue: string): Promise<FlowEntry[]>;
  tasksOfQueue(taskQueue: string): Promise<TaskEntry[]>;
  /** Replaces the queue's replay findings (sdk/src/replay/start-up-replay.ts) with these. */
  reportReplayFindings(input: ReplayFindingsRequest): Promise<void>;
  close(): Promise<void>;
}

/** Remote when the config names a Sluice URL and worker token (see workerConfigFromEnv), else the store. */
export async function openWorkerBackend(config: WorkerConfig, warn: (message: string) => void): Promise<WorkerBackend> {
  if (config.remote) {
    const api = new WorkerApiClient(config.remote.url, config.remote.token, { warn });
    return {
      where: api.where,
      insertLogs: (records, progress) => api.insertLogs(records, progress),
      publishFlows: (_client, input) => api.publishFlows(input),
      flowsOfQueue: (q) => api.flowsOfQueue(q),
      tasksOfQueue: (q) => api.tasksOfQueue(q),
      reportReplayFindings: (input) => api.reportReplayFindings(input),
      close: async () => {},
    };
  }
  const store = await openStore(config.storeUrl);
  return {
    where: redactUrl(config.storeUrl),
    insertLogs: (records, progress) => store.insertLogs(records, progress),
    publishFlows: (client, input) => publishQueueFlows(store, client, input),
    flowsOfQueue: (q) => store.flowsOfQueue(q),
    tasksOfQueue: (q) => store.tasksOfQueue(q),
    reportReplayFindings: ({ taskQueue, worker, findings }) => {
      const foundAt = Date.now();
      return store.replaceReplayFindings(taskQueue, findings.map((f) => ({ ...f, foundAt, worker })));
    },
    close: () => store.close(),
  };
}
