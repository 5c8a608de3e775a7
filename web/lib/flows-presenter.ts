/**
 * The flows pages: each flow with its description, parameters and deployments, each deployment's schedule in
 * words with its next run times and pause state. Deployments come from Temporal (their Schedules); one declared
 * in code but not (yet) in Temporal is listed too, so a missing worker sync is visible rather than silent.
 * Each flow comes from one task queue (one worker, one repository); the list filters by it, and flows a queue
 * stopped declaring are listed apart as gone (they cannot be started; their runs stay readable). The tasks
 * workers in other languages (Python) published are listed by task queue with their declared options in words,
 * so whoever writes a flow sees what `pythonTasks()` can call; tasks no longer declared are left out.
 *
 * @example const flows = await getFlowsOverview(await getSluice(), { queue: 'hydro' });
 */
import type { SluiceClient } from 'sluice/client';
import type { DeploymentInfo, FlowInfo, RunSummary, TaskInfo } from 'sluice/client';
import type { DeploymentDeclaration } from 'sluice/flow';
import { newestFirst } from './home-presenter';
import { readableError } from './readable-error';
import { formFromSchema, type FormField } from './json-schema-form';
import { describeSchedule } from './schedule-words';
import { describeTaskOptions } from './task-options-words';

export interface DeploymentView {
  name: string;
  description: string | null;
  schedule: string;
  /** In Temporal: its live state. Null when declared in code but not yet created (the worker syncs at start-up). */
  live: DeploymentInfo | null;
  declared: DeploymentDeclaration | null;
  parameters: Record<string, unknown>;
}

export interface FlowOverview {
  flow: FlowInfo;
  deployments: DeploymentView[];
  parameters: FormField[];
}

function declaredSchedule(d: DeploymentDeclaration) {
  return {
    cron: d.cron === undefined ? [] : Array.isArray(d.cron) ? d.cron : [d.cron],
    interval: d.interval ?? null,
    timezone: d.timezone ?? 'UTC',
  };
}

export function deploymentViews(flow: FlowInfo, live: DeploymentInfo[]): DeploymentView[] {
  const mine = live.filter((d) => d.flow === flow.name);
  const views: DeploymentView[] = mine.map((d) => {
    const declared = flow.deployments.find((x) => x.name === d.name) ?? null;
    return { name: d.name, description: d.description ?? declared?.description ?? null, schedule: describeSchedule(d), live: d, declared, parameters: d.parameters };
  });
  for (const declared of flow.deployments) {
    if (mine.some((d) => d.name === declared.name)) continue;
    views.push({
      name: declared.name,
      description: declared.description ?? null,
      schedule: describeSchedule(declaredSchedule(declared)),
      live: null,
      declared,
      parameters: declared.parameters ?? {},
    });
  }
  return views.sort((a, b) => a.name.localeCompare(b.name));
}

/** The tasks one task queue's worker in another language (Python) serves, by name. */
export interface TaskQueueTasks {
  taskQueue: string;
  tasks: { task: TaskInfo; options: string[] }[];
}

export interface FlowsOverview {
  /** The flows served now (of the chosen queue), by name. */
  flows: FlowOverview[];
  /** Flows their queue stopped declaring (of the chosen queue), by name. */
  gone: FlowInfo[];
  /** The tasks of workers in other languages (of the chosen queue), by task queue. */
  taskQueues: TaskQueueTasks[];
  /** Every task queue a flow or such a task comes from, for the filter. */
  queues: string[];
  /** The queue filtered by, or null for all. */
  queue: string | null;
  deploymentsError: string | null;
}

export async function getFlowsOverview(
  client: Pick<SluiceClient, 'listFlows' | 'listDeployments' | 'listTasks'>,
  filter: { queue?: string | string[] } = {},
): Promise<FlowsOverview> {
  const [flows, tasks, live] = await Promise.all([
    client.listFlows(),
    client.listTasks(),
    client.listDeployments().then(
      (value) => ({ ok: true as const, value }),
      (err) => ({ ok: false as const, error: readableError(err, 'read the deployments') }),
    ),
  ]);
  const deployments = live.ok ? live.value : [];
  const queue = (Array.isArray(filter.queue) ? filter.queue[0] : filter.queue) || null;
  const shown = flows.filter((f) => !queue || f.taskQueue === queue).sort((a, b) => a.name.localeCompare(b.name));
  return {
    flows: shown
      .filter((flow) => !flow.goneAt)
      .map((flow) => ({ flow, deployments: deploymentViews(flow, deployments), parameters: formFromSchema(flow.parametersSchema).fields })),
    gone: shown.filter((flow) => flow.goneAt),
    taskQueues: byTaskQueue(tasks.filter((t) => !queue || t.taskQueue === queue)),
    queues: [...new Set([...flows, ...tasks].map((f) => f.taskQueue))].sort(),
    queue,
    deploymentsError: live.ok ? null : live.error,
  };
}

/** Tasks (sorted by queue, then name, as listTasks gives them) grouped by their task queue. */
function byTaskQueue(tasks: TaskInfo[]): TaskQueueTasks[] {
  const groups = new Map<string, TaskQueueTasks>();
  for (const task of tasks) {
    const group = groups.get(task.taskQueue) ?? { taskQueue: task.taskQueue, tasks: [] };
    group.tasks.push({ task, options: describeTaskOptions(task.options) });
    groups.set(task.taskQueue, group);
  }
  return [...groups.values()];
}

export async function getFlowView(
  client: Pick<SluiceClient, 'getFlow' | 'listDeployments' | 'listRuns'>,
  name: string,
): Promise<(FlowOverview & { recentRuns: RunSummary[]; deploymentsError: string | null }) | undefined> {
  const flow = await client.getFlow(name);
  if (!flow) return undefined;
  const [live, runs] = await Promise.all([
    client.listDeployments(name).then(
      (value) => ({ ok: true as const, value }),
      (err) => ({ ok: false as const, error: readableError(err, `read the deployments of ${name}`) }),
    ),
    client.listRuns({ flow: name }, { pageSize: 10 }).catch(() => ({ runs: [] })),
  ]);
  return {
    flow,
    // A gone flow's declared deployments are no longer synced: only schedules still in Temporal are shown.
    deployments: deploymentViews(flow.goneAt ? { ...flow, deployments: [] } : flow, live.ok ? live.value : []),
    parameters: formFromSchema(flow.parametersSchema).fields,
    recentRuns: newestFirst(runs.runs),
    deploymentsError: live.ok ? null : live.error,
  };
}
