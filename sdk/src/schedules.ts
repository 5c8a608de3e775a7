/**
 * Deployments → Temporal Schedules. The worker calls `syncDeployments` at start-up: it creates what is
 * missing, updates what changed, deletes the schedules it owns that are no longer declared, and never undoes
 * an operator's pause. A schedule belongs to the task queue and the repository whose worker created it (memo
 * `sluiceOwner`, `sluiceRepository`): no other queue or repository updates or deletes it, except by
 * `adoptSchedules` when a repository takes its own flow over from a queue nobody polls.
 * Safe to run any number of times, and by two workers starting at once.
 */
import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client, type ScheduleOptionsStartWorkflowAction, type ScheduleUpdateOptions } from '@temporalio/client';
import { createHash } from 'node:crypto';
import type { DeploymentDeclaration } from './client/types';
import { runTimeoutMsOf, scheduleIdOf, schedulePoliciesOf, scheduleSpecOf } from './deployments';
import { runSearchAttributes, scheduleStarter } from './run-attributes';

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
  /** Declared here, but the schedule of that id belongs to another task queue: left alone. */
  ownedElsewhere: string[];
}

/**
 * What Sluice keeps in a schedule's memo (fixed at creation) and in its action's memo (updated with the
 * action): who owns it, and a fingerprint of the declaration it was last synced from.
 */
export const MEMO = {
  /** The task queue whose worker created it. */
  owner: 'sluiceOwner',
  /** The repository whose worker created it; absent on schedules made before repositories were recorded. */
  repository: 'sluiceRepository',
  flow: 'sluiceFlow',
  deployment: 'sluiceDeployment',
  description: 'sluiceDescription',
  fingerprint: 'sluiceFingerprint',
  declaredPaused: 'sluiceDeclaredPaused',
} as const;

/** Who a worker syncs schedules for. */
export interface ScheduleOwner {
  /** Its task queue. */
  taskQueue: string;
  /** Its repository (package.json "sluice.repository" or name); absent: schedules are told apart by queue only. */
  repository?: string;
  /**
   * The flows the catalog lists as this repository's on `taskQueue` (gone ones too): a schedule of one of them
   * made before repositories were recorded is its own. Without it, no such schedule is.
   */
  catalogFlows?: ReadonlySet<string>;
}

/** Whether a schedule with this memo belongs to `owner`: its queue, and its repository (or, from before, a flow the catalog gives it). */
function owns(owner: ScheduleOwner, memo: Record<string, unknown> | undefined): boolean {
  if (memo?.[MEMO.owner] !== owner.taskQueue) return false;
  const repository = memo?.[MEMO.repository];
  if (repository !== undefined) return repository === owner.repository;
  return owner.repository === undefined || (typeof memo?.[MEMO.flow] === 'string' && !!owner.catalogFlows?.has(memo[MEMO.flow] as string));
}

/** Who a schedule belongs to, for a message. */
function ownerName(memo: Record<string, unknown> | undefined): string {
  const queue = memo?.[MEMO.owner];
  if (queue === undefined) return 'none (not made by Sluice)';
  const repository = memo?.[MEMO.repository];
  return repository === undefined ? `task queue ${queue}` : `repository ${repository} on task queue ${queue}`;
}

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
    // The starter too: a schedule made when it was spelt `schedule:FLOW.DEPLOYMENT` is updated once to the documented form.
    .update(JSON.stringify([spec, f.taskQueue, d.parameters ?? {}, d.description ?? null, policies, runTimeoutMs, scheduleStarter(f.name, d.name)]))
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
    typedSearchAttributes: runSearchAttributes({ flow: f.name, deployment: d.name, startedBy: scheduleStarter(f.name, d.name) }),
    memo: { [MEMO.fingerprint]: fingerprint, [MEMO.declaredPaused]: d.paused ?? false },
  };
  return { id, flow: f.name, declaration: d, action, policies, fingerprint };
}

/** Every declared deployment's schedule as it should be, by schedule id. */
function desiredById(flows: DeclaredFlow[]): Map<string, Desired> {
  return new Map(flows.flatMap((f) => f.deployments.map((d) => desiredOf(f, d))).map((d) => [d.id, d]));
}

/**
 * Brings the schedules owned by `owner` (the worker's task queue and repository) in line with `flows`.
 * `log` receives one line per change.
 */
export async function syncDeployments(
  client: Client,
  owner: ScheduleOwner,
  flows: DeclaredFlow[],
  log: (line: string) => void = () => {},
): Promise<SyncReport> {
  const report: SyncReport = { created: [], updated: [], deleted: [], unchanged: [], ownedElsewhere: [] };
  const desired = desiredById(flows);

  const owned = new Set<string>();
  for await (const s of client.schedule.list()) {
    if (owns(owner, s.memo)) owned.add(s.scheduleId);
  }

  for (const want of desired.values()) {
    const { outcome, otherOwner } = await createOrUpdate(client, owner, want);
    report[outcome].push(want.id);
    if (outcome === 'ownedElsewhere') {
      log(`deployment ${want.id}: left alone, its schedule belongs to ${otherOwner} (only the queue and repository that created a schedule change or delete it)`);
    } else if (outcome !== 'unchanged') log(`deployment ${want.id}: ${outcome}`);
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

/** Creates the schedule of a deployment for `owner`, in `state` (default: the declared pause). */
async function createSchedule(client: Client, owner: ScheduleOwner, want: Desired, state?: { paused: boolean; note?: string }): Promise<void> {
  const paused = want.declaration.paused ?? false;
  await client.schedule.create({
    scheduleId: want.id,
    spec: scheduleSpecOf(want.declaration),
    action: want.action,
    policies: want.policies,
    state: state ?? { paused, note: paused ? 'Paused in code' : undefined },
    memo: {
      [MEMO.owner]: owner.taskQueue,
      ...(owner.repository !== undefined && { [MEMO.repository]: owner.repository }),
      [MEMO.flow]: want.flow,
      [MEMO.deployment]: want.declaration.name,
      [MEMO.description]: want.declaration.description ?? null,
    },
  });
}

/** What a sync did to one declared deployment; `otherOwner` names who a schedule left alone belongs to. */
interface Outcome {
  outcome: Exclude<keyof SyncReport, 'deleted'>;
  otherOwner?: string;
}

async function createOrUpdate(client: Client, owner: ScheduleOwner, want: Desired): Promise<Outcome> {
  const paused = want.declaration.paused ?? false;
  try {
    await createSchedule(client, owner, want);
    return { outcome: 'created' };
  } catch (e) {
    if (!(e instanceof ScheduleAlreadyRunning)) throw e;
  }
  const handle = client.schedule.getHandle(want.id);
  const current = await handle.describe();
  if (!owns(owner, current.memo)) return { outcome: 'ownedElsewhere', otherOwner: ownerName(current.memo) };
  const memo = current.action.type === 'startWorkflow' ? (current.action.memo ?? {}) : {};
  const declaredPausedBefore = memo[MEMO.declaredPaused] ?? false;
  if (memo[MEMO.fingerprint] === want.fingerprint && declaredPausedBefore === paused) return { outcome: 'unchanged' };

  await handle.update((prev): ScheduleUpdateOptions => {
    // The pause belongs to operators; only a change of the declared `paused` itself overrides it.
    const state = declaredPausedBefore === paused ? prev.state : { ...prev.state, paused, note: paused ? 'Paused in code' : 'Resumed in code' };
    return { ...prev, spec: scheduleSpecOf(want.declaration), action: want.action as never, policies: { ...prev.policies, ...want.policies }, state };
  });
  return { outcome: 'updated' };
}

/** A flow whose schedules move from the task queue `from` (nobody polls it) to the adopting queue. */
export interface Adoption {
  flow: string;
  from: string;
}

/**
 * Moves the schedules of flows taken over from queues nobody polls to `owner`. A schedule's owner is fixed at
 * creation (memo), so each is recreated for `owner` and its declared deployment, keeping the operator's pause
 * and note; one that `flows` no longer declares is deleted. Only schedules of `owner`'s repository (or made
 * before repositories were recorded) move. `log` receives one line per schedule.
 * Returns the ids of the schedules recreated.
 */
export async function adoptSchedules(
  client: Client,
  owner: ScheduleOwner,
  flows: DeclaredFlow[],
  adoptions: Adoption[],
  log: (line: string) => void = () => {},
): Promise<string[]> {
  if (adoptions.length === 0) return [];
  const previousOwner = new Map(adoptions.map((a) => [a.flow, a.from]));
  const desired = desiredById(flows);
  const ids: string[] = [];
  for await (const s of client.schedule.list()) {
    const flow = s.memo?.[MEMO.flow];
    const repository = s.memo?.[MEMO.repository];
    const sameRepository = repository === undefined || repository === owner.repository;
    if (typeof flow === 'string' && previousOwner.has(flow) && s.memo?.[MEMO.owner] === previousOwner.get(flow) && sameRepository) ids.push(s.scheduleId);
  }
  const adopted: string[] = [];
  for (const id of ids) {
    const handle = client.schedule.getHandle(id);
    let current;
    try {
      current = await handle.describe();
      await handle.delete();
    } catch (e) {
      if (e instanceof ScheduleNotFoundError) continue;
      throw e;
    }
    const from = String(current.memo?.[MEMO.owner]);
    const want = desired.get(id);
    if (!want) {
      log(`deployment ${id}: deleted (taken over from task queue ${from}, no longer declared)`);
      continue;
    }
    const { paused, note } = current.state;
    await createSchedule(client, owner, want, { paused, note });
    adopted.push(id);
    log(`deployment ${id}: adopted from task queue ${from}${paused ? `, kept paused (${note ?? 'no note'})` : ''}`);
  }
  return adopted;
}
