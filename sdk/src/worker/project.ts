/**
 * A project is what one worker serves: a workflows module (its flows) and an activities module (its tasks).
 * Loading it checks every declaration, so a bad one stops the worker before it touches Temporal.
 */
import path from 'node:path';
import { z } from 'zod';
import { deploymentProblems, runTimeoutMsOf, runTimeoutProblem } from '../deployments';
import { declaredTaskOptions, flowDeclaration } from '../declarations';
import type { FlowDeclaration } from '../flow';
import { parameterSchemaProblems } from '../parameter-schema';
import { concurrencyProblem, rateLimitProblem } from '../limits/declared-limits';
import { LIMITER_WORKFLOW } from '../limits/limit-types';
import { ruleProblems, type DeclaredRule } from '../notify/rules';
import type { TaskOptions } from '../task-options';
import type { FlowEntry } from '../store';
import { SluiceError } from '../errors';

export interface LoadedFlow {
  name: string;
  declaration: FlowDeclaration;
}

export interface Project {
  workflowsPath: string;
  flows: LoadedFlow[];
  activities: Record<string, (...args: any[]) => Promise<unknown>>;
  /** Declared options of every task, by task name: baked into the workflow bundle. */
  taskOptions: Record<string, TaskOptions>;
}

/** Thrown when a flow or task declaration is invalid; its message names each flow and deployment. */
export class ProjectError extends SluiceError {
  static override readonly code = 'invalid_project';
  static override readonly kind = 'bad_request';

  constructor(readonly problems: string[]) {
    super(`The worker cannot start: ${problems.length} problem(s) in the declarations:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ProjectError';
  }
}

export function loadProject(workflowsPath: string, activitiesPath: string): Project {
  const workflows = requireModule(workflowsPath, 'workflows');
  const activityModule = requireModule(activitiesPath, 'activities');
  const problems: string[] = [];

  const flows: LoadedFlow[] = [];
  for (const [exportName, value] of Object.entries(workflows)) {
    const declaration = flowDeclaration(value);
    if (!declaration) continue;
    if (declaration.name !== undefined && declaration.name !== exportName) {
      problems.push(`flow ${exportName}: declared name ${JSON.stringify(declaration.name)} differs from its export name; a flow's name is its export name in ${path.relative(process.cwd(), workflowsPath)}`);
    }
    const timeout = runTimeoutProblem(declaration.runTimeout);
    if (timeout) problems.push(`flow ${exportName}: ${timeout}`);
    const concurrency = concurrencyProblem(declaration.concurrency, true);
    if (concurrency) problems.push(`flow ${exportName}: ${concurrency}`);
    if (exportName === LIMITER_WORKFLOW) problems.push(`flow ${exportName}: the name is Sluice's own (its limiter); rename the flow`);
    problems.push(...parameterSchemaProblems(exportName, declaration.parameters));
    problems.push(...deploymentProblems(exportName, declaration.parameters, declaration.deployments ?? []));
    problems.push(...rulesOf(exportName, declaration).flatMap((r) => ruleProblems(`flow ${exportName}${r.deployment ? `, deployment ${JSON.stringify(r.deployment)}` : ''}`, r.rule)));
    flows.push({ name: exportName, declaration });
  }
  if (flows.length === 0) problems.push(`${workflowsPath} exports no flow (declare them with flow() from sdk/flow)`);

  const activities: Project['activities'] = {};
  const taskOptions: Record<string, TaskOptions> = {};
  // Only task() declarations are tasks, so a tasks module may also export helpers, types and error classes.
  for (const [name, value] of Object.entries(activityModule)) {
    const options = declaredTaskOptions(value);
    if (!options) continue;
    if (options.local && options.heartbeatTimeout !== undefined) {
      problems.push(`task ${name}: a local task cannot heartbeat; drop heartbeatTimeout or local: true`);
    }
    for (const problem of [concurrencyProblem(options.concurrency, false), rateLimitProblem(options.rateLimit)]) {
      if (problem) problems.push(`task ${name}: ${problem}`);
    }
    activities[name] = value as Project['activities'][string];
    taskOptions[name] = options;
  }

  if (problems.length) throw new ProjectError(problems);
  return { workflowsPath: require.resolve(workflowsPath), flows, activities, taskOptions };
}

/** What the worker publishes to the store so the web app can list, describe and start its flows. */
export function catalogOf(project: Project, taskQueue: string): FlowEntry[] {
  return project.flows.map(({ name, declaration }) => ({
    name,
    taskQueue,
    description: declaration.description ?? null,
    parametersSchema: declaration.parameters ? z.toJSONSchema(declaration.parameters, { io: 'input', unrepresentable: 'any' }) : { type: 'object', properties: {} },
    // Notification rules are published to their own table (publishCodeRules), not with the deployments.
    deployments: (declaration.deployments ?? []).map(({ notify: _rules, ...deployment }) => deployment),
    updatedAt: Date.now(),
    runTimeoutMs: declaration.runTimeout === undefined ? null : runTimeoutMsOf(declaration.runTimeout),
  }));
}

/** The notification rules declared next to the project's flows and their deployments. */
export function declaredRulesOf(project: Project): DeclaredRule[] {
  return project.flows.flatMap(({ name, declaration }) => rulesOf(name, declaration));
}

function rulesOf(flow: string, declaration: FlowDeclaration): DeclaredRule[] {
  return [
    ...(declaration.notify ?? []).map((rule) => ({ flow, deployment: null, rule })),
    ...(declaration.deployments ?? []).flatMap((d) => (d.notify ?? []).map((rule) => ({ flow, deployment: d.name, rule }))),
  ];
}

function requireModule(modulePath: string, what: string): Record<string, unknown> {
  try {
    return require(path.resolve(modulePath));
  } catch (e) {
    throw new Error(`Cannot load the ${what} module ${modulePath}: ${(e as Error).message}`, { cause: e });
  }
}
