/**
 * Flow names are unique across the task queues (repositories) that share one store. Before a worker publishes
 * its flows it claims their names: a name another queue serves with a worker polling is refused, and so is one
 * another repository declares; a name its own repository served on a queue nobody polls any more is taken
 * over (the queue was renamed).
 */
import type { Client } from '@temporalio/client';
import { TASK_QUEUE_KIND_NORMAL, TASK_QUEUE_TYPE_WORKFLOW } from '../temporal/enums';
import { timestampMs } from '../temporal/time';
import { FlowNameTakenError, type FlowEntry, type FlowNameClash, type Store } from '../store';

/**
 * How recently a workflow poller must have reached a queue for it to count as live. Temporal reports a poller
 * for minutes after its worker stopped, and an idle worker's long poll lasts up to a minute, so only a poll
 * older than one long poll (and a margin) tells that nobody serves the queue.
 */
export const LIVE_QUEUE_WINDOW_MS = 75_000;

/** Whether a worker has polled `taskQueue` for flows within the last `windowMs`. */
export async function queueIsLive(client: Client, taskQueue: string, windowMs = LIVE_QUEUE_WINDOW_MS, now = Date.now()): Promise<boolean> {
  const { pollers } = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: TASK_QUEUE_KIND_NORMAL },
    taskQueueType: TASK_QUEUE_TYPE_WORKFLOW,
  });
  return pollers.some((p) => now - (timestampMs(p.lastAccessTime) ?? 0) < windowMs);
}

/** A flow this queue takes over from a queue nobody polls any more. */
export interface TakeOver {
  flow: string;
  from: string;
}

/**
 * Claims `names` for `taskQueue` of `repository`: throws TaskQueueTakenError if the queue serves another
 * repository's flows, and FlowNameTakenError (naming each flow, both queues and the
 * other repository) if another live queue serves one of them, or another repository declares one (live or not:
 * a flow is not taken from a repository whose worker is merely down); otherwise returns the names to take over
 * from this repository's queues that are not live (the queue was renamed). Without `repository`, any queue
 * that is not live is taken over from.
 */
export async function claimFlowNames(store: Store, client: Client, taskQueue: string, names: string[], repository?: string): Promise<TakeOver[]> {
  // A queue of another repository first: its flows' names would clash too, but the queue is what to change.
  if (repository !== undefined) await store.checkTaskQueue(taskQueue, repository, names);
  const wanted = new Set(names);
  const served = (await store.listFlows()).filter((f) => f.goneAt == null && f.taskQueue !== taskQueue && wanted.has(f.name));
  const live = new Map<string, boolean>();
  for (const queue of new Set(served.map((f) => f.taskQueue))) live.set(queue, await queueIsLive(client, queue));
  const ours = (f: FlowEntry) => repository === undefined || f.repository === repository;
  const clashes: FlowNameClash[] = served
    .filter((f) => live.get(f.taskQueue) || !ours(f))
    .map((f) => ({ flow: f.name, taskQueue, servedBy: f.taskQueue, live: live.get(f.taskQueue), ...(!ours(f) && { repository: f.repository ?? null }) }));
  if (clashes.length) throw new FlowNameTakenError(clashes);
  return served.map((f) => ({ flow: f.name, from: f.taskQueue }));
}
