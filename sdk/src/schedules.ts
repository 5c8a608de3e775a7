/**
 * Deployments → Temporal Schedules. The worker calls `syncDeployments` at start-up: it creates what is
 * missing, updates what changed, deletes the schedules it owns that are no longer declared, and never undoes
 * an operator's pause. Safe to run any number of times, and by two workers starting at once.
 */
import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client, type ScheduleOptionsStartWorkflowAction, type ScheduleUpdateOptions } from '@temporalio/client';
import { createHash } from 'node:crypto';
import type { DeploymentDeclaration } from './client/types';
import { runTimeoutMsOf, scheduleIdOf, schedulePoliciesOf, scheduleSpecOf } from './deployments';
import { runSearchAttributes } from './run-attributes';

/** A flow's deployments as the worker declares them. */
export interface DeclaredFlow {
  name: string;
  taskQueue: string;
  deployments: DeploymentDeclaration[];
  /** The flow's declared runTimeout; a deployment's own wins. */
  runTimeout?: string | number;
}

export interface SyncReport {
  created: string[];
  updated: string[];
  deleted: string[];
  unchanged: string[];
}

/**
 * What Sluice keeps in a schedule's memo (fixed at creation) and in its action's memo (updated with the
 * action): who owns it, and a fingerprint of the declaration it was last synced from.
 */
export const MEMO = {
  owner: 'sluiceOwner',
  flow: 'sluiceFlow',
  deployment: 'sluiceDeployment',
  description: 'sluiceDescription',
  fingerprint: 'sluiceFingerprint',
  declaredPaused: 'sluiceDeclaredPaused',
} as const;

/** The schedule id a run was started by, as `SluiceStartedBy` says it. */
export const scheduleStarter = (scheduleId: string) => `schedule:${scheduleId}`;

interface Desired {
  id: string;
  flow: string;
  declaration: DeploymentDeclaration;
  action: ScheduleOptionsStartWorkflowAction<never>;
  policies: ReturnType<typeof schedulePoliciesOf>;
  fingerprint: string;
}

function desiredOf(f: DeclaredFlow, d: DeploymentDeclaration): Desired {
  const id = scheduleIdOf(f.name, d.name);
  const spec = scheduleSpecOf(d);
  const policies = schedulePoliciesOf(d);
  const runTimeoutMs = runTimeoutMsOf(f.runTimeout, d);
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([spec, f.taskQueue, d.parameters ?? {}, d.description ?? null, policies, runTimeoutMs]))
    .digest('hex')
    .slice(0, 16);
  const action: ScheduleOptionsStartWorkflowAction<never> = {
    type: 'startWorkflow',
    workflowType: f.name,
    workflowId: id,
    taskQueue: f.taskQueue,
    args: [d.parameters ?? {}] as never,
    // Every scheduled run ends by this time: a stuck one cannot hold a 'skip' schedule forever.
    workflowExecutionTimeout: runTimeoutMs,
    typedSearchAttributes: runSearchAttributes({ flow: f.name, deployment: d.name, startedBy: scheduleStarter(id) }),
    memo: { [MEMO.fingerprint]: fingerprint, [MEMO.declaredPaused]: d.paused ?? false },
  };
  return { id, flow: f.name, declaration: d, action, policies, fingerprint };
}

/**
 * Brings the schedules owned by `owner` (the worker's task queue, by default) in line with `flows`.
 * `log` receives one line per change.
 */
export async function syncDeployments(
  client: Client,
  owner: string,
  flows: DeclaredFlow[],
  log: (line: string) => void = () => {},
): Promise<SyncReport> {
  const report: SyncReport = { created: [], updated: [], deleted: [], unchanged: [] };
  const desired = new Map(flows.flatMap((f) => f.deployments.map((d) => desiredOf(f, d))).map((d) => [d.id, d]));

  const owned = new Set<string>();
  for await (const s of client.schedule.list()) {
    if (s.memo?.[MEMO.owner] === owner) owned.add(s.scheduleId);
  }

  for (const want of desired.values()) {
    const outcome = await createOrUpdate(client, owner, want);
    report[outcome].push(want.id);
    if (outcome !== 'unchanged') log(`deployment ${want.id}: ${outcome}`);
  }
  for (const id of owned) {
    if (desired.has(id)) continue;
    try {
      await client.schedule.getHandle(id).delete();
    } catch (e) {
      if (!(e instanceof ScheduleNotFoundError)) throw e;
    }
    report.deleted.push(id);
    log(`deployment ${id}: deleted (no longer declared)`);
  }
  return report;
}

async function createOrUpdate(client: Client, owner: string, want: Desired): Promise<'created' | 'updated' | 'unchanged'> {
  const paused = want.declaration.paused ?? false;
  try {
    await client.schedule.create({
      scheduleId: want.id,
      spec: scheduleSpecOf(want.declaration),
      action: want.action,
      policies: want.policies,
      state: { paused, note: paused ? 'Paused in code' : undefined },
      memo: {
        [MEMO.owner]: owner,
        [MEMO.flow]: want.flow,
        [MEMO.deployment]: want.declaration.name,
        [MEMO.description]: want.declaration.description ?? null,
      },
    });
    return 'created';
  } catch (e) {
    if (!(e instanceof ScheduleAlreadyRunning)) throw e;
  }
  const handle = client.schedule.getHandle(want.id);
  const current = await handle.describe();
  const memo = current.action.type === 'startWorkflow' ? (current.action.memo ?? {}) : {};
  const declaredPausedBefore = memo[MEMO.declaredPaused] ?? false;
  if (memo[MEMO.fingerprint] === want.fingerprint && declaredPausedBefore === paused) return 'unchanged';

  await handle.update((prev): ScheduleUpdateOptions => {
    // The pause belongs to operators; only a change of the declared `paused` itself overrides it.
    const state = declaredPausedBefore === paused ? prev.state : { ...prev.state, paused, note: paused ? 'Paused in code' : 'Resumed in code' };
    return { ...prev, spec: scheduleSpecOf(want.declaration), action: want.action as never, policies: { ...prev.policies, ...want.policies }, state };
  });
  return 'updated';
}
