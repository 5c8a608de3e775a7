/**
 * A worker's start-up publish of its queue's flows, in one place for both ways a worker reaches the store: in
 * the worker itself (direct mode, DATABASE_URL) and in the web app's worker API (remote mode). Claims the names
 * (refused if another live queue or another repository serves one), publishes the whole set (the queue's other
 * flows become gone), and replaces the code notification rules of these flows.
 */
import type { Client } from '@temporalio/client';
import { publishCodeRules, type DeclaredRule } from '../notify/rules';
import type { FlowEntry, Store } from '../store';
import { claimFlowNames, type TakeOver } from '../worker/flow-names';

export interface QueueFlows {
  taskQueue: string;
  repository?: string;
  flows: Omit<FlowEntry, 'taskQueue'>[];
  rules: DeclaredRule[];
}

/** @returns the flows taken over from this repository's queues nobody polls any more. */
export async function publishQueueFlows(store: Store, client: Client, input: QueueFlows): Promise<TakeOver[]> {
  const { taskQueue, repository } = input;
  const names = input.flows.map((f) => f.name);
  const takeOvers = await claimFlowNames(store, client, taskQueue, names, repository);
  // Refused (TaskQueueTakenError), changing nothing, when the queue serves another repository's flows.
  const entries = input.flows.map((f) => ({ ...f, taskQueue }));
  await store.publishFlows(taskQueue, entries, { takeOver: takeOvers.map((t) => t.flow), repository });
  await publishCodeRules(store.db, names, input.rules);
  return takeOvers;
}
