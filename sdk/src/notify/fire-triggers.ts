/**
 * Fires `after` triggers: the notifier already watches Temporal for runs that closed, so it also starts the
 * deployments declared to follow them. Each downstream run gets an id made of its deployment and the upstream
 * run (afterWorkflowId) and is started with reuse rejected: a run seen twice (the look-up windows overlap,
 * two notifiers) starts one run, never two.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { SluiceClient } from '../client/sluice-client';
import { summaryOf } from '../client/visibility';
import { afterStarter, afterWorkflowId, mappedParameters, triggersOf, type DeclaredTrigger } from '../triggers';
import { readState, writeState } from './notifier-state';

const CURSOR = 'trigger-cursor';
const NOT_STARTABLE = new Set(['InvalidParametersError', 'UnknownDeploymentError', 'UnknownFlowError', 'FlowGoneError']);

export interface FireOptions {
  now: number;
  /** How far before the cursor the look-up reaches (runs visibility lists late). */
  overlapMs: number;
  /** Where a fresh store's first look starts. */
  since?: number;
  log?: (line: string) => void;
}

/** Starts the runs due to `after` triggers for runs closed since the last call; returns how many started. */
export async function fireAfterTriggers(client: SluiceClient, options: FireOptions): Promise<number> {
  const db = client.store.db;
  const cursorText = await readState(db, CURSOR);
  const cursor = cursorText ? Number(cursorText) : (options.since ?? options.now);
  const flows = await client.store.listFlows();
  const byUpstream = new Map<string, DeclaredTrigger[]>();
  for (const t of triggersOf(flows.filter((f) => f.goneAt == null))) {
    if (t.trigger.after === undefined) continue;
    byUpstream.set(t.trigger.after, [...(byUpstream.get(t.trigger.after) ?? []), t]);
  }
  let started = 0;
  if (byUpstream.size > 0) {
    const queueOf = new Map(flows.map((f) => [f.name, f.taskQueue]));
    const from = new Date(cursor - options.overlapMs).toISOString();
    for await (const info of client.temporal.workflow.list({ query: `CloseTime >= "${from}"`, pageSize: 1_000 })) {
      const run = summaryOf(info);
      const followers = byUpstream.get(run.flow);
      // Only runs of the catalog's flow on the queue that serves it: another namespace user's flow of that name is not it.
      if (!followers || queueOf.get(run.flow) !== run.taskQueue) continue;
      let result: unknown;
      if (run.status === 'completed') result = await client.temporal.workflow.getHandle(run.workflowId, run.runId).result();
      for (const t of followers) {
        if ((t.trigger.on ?? 'success') === 'success' && run.status !== 'completed') continue;
        if (await fireOne(client, t, run, result, options.log)) started++;
      }
    }
  }
  await writeState(db, CURSOR, String(options.now));
  return started;
}

async function fireOne(
  client: SluiceClient,
  t: DeclaredTrigger,
  upstream: { flow: string; workflowId: string; runId: string },
  result: unknown,
  log?: (line: string) => void,
): Promise<boolean> {
  const what = `trigger of ${t.flow}.${t.deployment.name} after ${upstream.flow} run ${upstream.workflowId}`;
  try {
    const ref = await client.startDeployment(t.flow, t.deployment.name, {
      parameters: mappedParameters(t.trigger, result),
      startedBy: afterStarter(upstream.flow, upstream.workflowId),
      workflowId: afterWorkflowId(t.flow, t.deployment.name, upstream.runId),
      once: true,
    });
    log?.(`${what}: started run ${ref.workflowId}`);
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    // Parameters the result cannot give (a missing or wrong field) start nothing; said each look-up that sees the run.
    if (NOT_STARTABLE.has((err as Error).name)) {
      log?.(`${what}: not started: ${(err as Error).message}`);
      return false;
    }
    throw err; // Temporal or the store down: the tick fails and the cursor stays, so the next tick tries again
  }
}
