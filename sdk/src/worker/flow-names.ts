/**
 * Flow names are unique across the task queues (repositories) that share one store. Before a worker publishes
 * its flows it claims their names: a name another queue serves with a worker polling is refused; a name whose
 * queue has no worker polling is taken over (the queue was renamed, or the flow moved to this repository).
 */
import type { Client } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { FlowNameTakenError, type Store } from '../store';

/**
 * How recently a workflow poller must have reached a queue for it to count as live. Temporal reports a poller
 * for minutes after its worker stopped, and an idle worker's long poll lasts up to a minute, so only a poll
 * older than one long poll (and a margin) tells that nobody serves the queue.
 */
export const LIVE_QUEUE_WINDOW_MS = 75_000;

// temporal.api.enums.v1: TASK_QUEUE_KIND_NORMAL, TASK_QUEUE_TYPE_WORKFLOW (the proto enums are not exported by value).
const KIND_NORMAL = 1;
const TYPE_WORKFLOW = 1;

/** Whether a worker has polled `taskQueue` for flows within the last `windowMs`. */
export async function queueIsLive(client: Client, taskQueue: string, windowMs = LIVE_QUEUE_WINDOW_MS, now = Date.now()): Promise<boolean> {
  const { pollers } = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: KIND_NORMAL },
    taskQueueType: TYPE_WORKFLOW,
  });
  return pollers.some((p) => now - (optionalTsToMs(p.lastAccessTime) ?? 0) < windowMs);
}

/** A flow this queue takes over from a queue nobody polls any more. */
export interface TakeOver {
  flow: string;
  from: string;
}

/**
 * Claims `names` for `taskQueue`: throws FlowNameTakenError (naming each flow and both queues) if another live
 * queue serves one of them; otherwise returns the names to take over from queues that are not live.
 */
export async function claimFlowNames(store: Store, client: Client, taskQueue: string, names: string[]): Promise<TakeOver[]> {
  const wanted = new Set(names);
  const served = (await store.listFlows()).filter((f) => f.goneAt == null && f.taskQueue !== taskQueue && wanted.has(f.name));
  const live = new Map<string, boolean>();
  for (const queue of new Set(served.map((f) => f.taskQueue))) live.set(queue, await queueIsLive(client, queue));
  const clashes = served.filter((f) => live.get(f.taskQueue)).map((f) => ({ flow: f.name, taskQueue, servedBy: f.taskQueue }));
  if (clashes.length) throw new FlowNameTakenError(clashes);
  return served.map((f) => ({ flow: f.name, from: f.taskQueue }));
}
