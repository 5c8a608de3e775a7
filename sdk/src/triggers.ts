/**
 * Triggers declared on a deployment (DeploymentDeclaration.triggers): what starts a run besides its schedule
 * and people. Checked with the deployment at worker start-up, published with it in the flow catalog; the
 * notifier fires `after` triggers (notify/fire-triggers.ts), the web app's `POST /api/triggers/<name>` fires
 * `http` ones.
 */
import type { DeploymentDeclaration, TriggerDeclaration } from './client/types';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const PATH = /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/;

/** Everything wrong with a deployment's triggers, each message naming where (`where` names the flow and deployment). */
export function triggerProblems(where: string, triggers: unknown): string[] {
  if (triggers === undefined) return [];
  if (!Array.isArray(triggers)) return [`${where}: triggers must be a list, e.g. [{ after: 'importDaily' }]`];
  const problems: string[] = [];
  triggers.forEach((t: TriggerDeclaration, i) => {
    const say = (what: string) => problems.push(`${where}, trigger ${i + 1}: ${what}`);
    if (typeof t !== 'object' || t === null) return say('must be an object such as { after: \'importDaily\' } or { http: \'file-arrived\' }');
    if ((t.after === undefined) === (t.http === undefined)) return say('declare either after (a flow name) or http (a trigger name), not both or neither');
    for (const [key, value] of [['after', t.after], ['http', t.http]] as const) {
      if (value !== undefined && (typeof value !== 'string' || !NAME.test(value) || value.length > 200)) say(`${key} must be a name of letters, digits, "-", "_" or "."`);
    }
    if (t.http !== undefined && (t.on !== undefined || t.parameters !== undefined)) say('on and parameters belong to after triggers; an http call sends its parameters in its body');
    if (t.on !== undefined && t.on !== 'success' && t.on !== 'any') say(`unknown on ${JSON.stringify(t.on)} (use 'success' or 'any')`);
    if (t.parameters !== undefined) {
      if (typeof t.parameters !== 'object' || t.parameters === null || Array.isArray(t.parameters)) say('parameters must map parameter names to result fields, e.g. { day: \'day\' }');
      else {
        for (const [name, path] of Object.entries(t.parameters)) {
          if (typeof path !== 'string' || !PATH.test(path)) say(`parameter ${name}: ${JSON.stringify(path)} is not a result field (use e.g. 'day' or 'output.path')`);
        }
      }
    }
  });
  return problems;
}

/** The parameters every `after` trigger of `d` maps from a result (none when it has other triggers or none). */
export function triggerGiven(d: DeploymentDeclaration): Set<string> {
  const triggers = Array.isArray(d.triggers) ? d.triggers : [];
  if (triggers.length === 0 || triggers.some((t) => t?.after === undefined || typeof t.parameters !== 'object' || t.parameters === null)) return new Set();
  const [first, ...rest] = triggers.map((t) => Object.keys(t.parameters!));
  return new Set(first!.filter((name) => rest.every((names) => names.includes(name))));
}

/** `SluiceStartedBy` of a run an `after` trigger started: the upstream flow and its run. */
export const afterStarter = (upstreamFlow: string, upstreamWorkflowId: string) => `trigger:after:${upstreamFlow}:${upstreamWorkflowId}`;
/** `SluiceStartedBy` of a run a signed HTTP call started. */
export const httpStarter = (name: string) => `trigger:http:${name}`;

/** Whether `startedBy` (a run's starter) is a firing of `trigger`. */
export function isFiringOf(trigger: TriggerDeclaration, startedBy: string | null | undefined): boolean {
  if (!startedBy) return false;
  return trigger.http !== undefined ? startedBy === httpStarter(trigger.http) : startedBy.startsWith(`trigger:after:${trigger.after}:`);
}

/**
 * The run id an `after` trigger gives the run it starts: one per downstream deployment and upstream run, so
 * however often the upstream run is seen (two notifiers, an overlapping look-up), one run starts.
 */
export const afterWorkflowId = (flow: string, deployment: string, upstreamRunId: string) => `trigger-${flow}.${deployment}-${upstreamRunId}`;

/**
 * The run id an `http` trigger call with an idempotency key gives the run it starts: one per deployment, trigger
 * and key, so a caller that sends the same call again (a retry after a timeout) starts one run.
 */
export const httpWorkflowId = (flow: string, deployment: string, trigger: string, key: string) => `trigger-${flow}.${deployment}-http-${trigger}-${key}`;

/** The value at a dotted path of a result, or undefined when any step is missing. */
export function fieldOf(result: unknown, path: string): unknown {
  let at: unknown = result;
  for (const step of path.split('.')) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, step)) return undefined;
    at = (at as Record<string, unknown>)[step];
  }
  return at;
}

/** The parameters an `after` trigger's mapping takes from the upstream result (missing fields left out). */
export function mappedParameters(trigger: TriggerDeclaration, result: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, path] of Object.entries(trigger.parameters ?? {})) {
    const value = fieldOf(result, path);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** The environment variable holding an http trigger's secret: `file-arrived` → SLUICE_TRIGGER_SECRET_FILE_ARRIVED. */
export const triggerSecretName = (name: string) => `SLUICE_TRIGGER_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

/** A trigger with the flow and deployment it starts. */
export interface DeclaredTrigger {
  flow: string;
  deployment: DeploymentDeclaration;
  trigger: TriggerDeclaration;
}

/** Every trigger the catalog's flows declare. */
export function triggersOf(flows: { name: string; deployments: unknown[] }[]): DeclaredTrigger[] {
  return flows.flatMap((f) =>
    (f.deployments as DeploymentDeclaration[]).flatMap((deployment) => (deployment.triggers ?? []).map((trigger) => ({ flow: f.name, deployment, trigger }))),
  );
}
