/**
 * Deployments declared in code: validation (the worker refuses to start on a bad one) and their translation
 * to a Temporal Schedule spec.
 */
import type { ScheduleOverlapPolicy, ScheduleSpec } from '@temporalio/client';
import { CronExpressionParser } from 'cron-parser';
import type { z } from 'zod';
import type { DeploymentDeclaration, OverlapPolicy } from './client/types';
import { invalidParametersMessage, parseParameters } from './parameters';
import { durationToMs } from './temporal/time';
import { triggerGiven, triggerProblems } from './triggers';

const CRON_ALIASES = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * What a flow or deployment that declares nothing gets. A run that hangs (a flow failing on every attempt,
 * a task retried without end) ends as timed out after runTimeout, so with 'skip' one stuck run silences its
 * schedule for at most a day, never for good.
 */
export const RUN_DEFAULTS = { runTimeout: '24 hours', overlap: 'skip', catchupWindow: '10 minutes' } as const satisfies {
  runTimeout: string;
  overlap: OverlapPolicy;
  catchupWindow: string;
};

const OVERLAP: Record<OverlapPolicy, ScheduleOverlapPolicy> = { skip: 'SKIP', bufferOne: 'BUFFER_ONE', allowAll: 'ALLOW_ALL' };

/** A deployment's overlap and catch-up policies as Temporal's Schedule takes them. */
export function schedulePoliciesOf(d: DeploymentDeclaration): { overlap: ScheduleOverlapPolicy; catchupWindow: string | number } {
  return { overlap: OVERLAP[d.overlap ?? RUN_DEFAULTS.overlap], catchupWindow: d.catchupWindow ?? RUN_DEFAULTS.catchupWindow };
}

/** The run timeout in ms: the deployment's, else the flow's, else the default. */
export function runTimeoutMsOf(flowTimeout: string | number | null | undefined, deployment?: DeploymentDeclaration): number {
  return durationMs(deployment?.runTimeout ?? flowTimeout ?? RUN_DEFAULTS.runTimeout) ?? durationMs(RUN_DEFAULTS.runTimeout)!;
}

/** What is wrong with a declared runTimeout, or undefined. */
export function runTimeoutProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const ms = durationMs(value as string | number);
  if (ms === undefined || ms < 1000) return `invalid runTimeout ${JSON.stringify(value)} (use e.g. "2h", "30 minutes", at least one second)`;
  return undefined;
}

/** The Temporal Schedule id of a deployment: stable, readable in Temporal Web and safe in a URL. */
export function scheduleIdOf(flow: string, deployment: string): string {
  return `${flow}.${deployment}`;
}

export function cronsOf(d: DeploymentDeclaration): string[] {
  return d.cron === undefined ? [] : Array.isArray(d.cron) ? d.cron : [d.cron];
}

/** Everything wrong with a flow's deployments, each message naming the flow and the deployment. */
export function deploymentProblems(flow: string, schema: z.ZodType | undefined, deployments: DeploymentDeclaration[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const d of deployments) {
    const where = `flow ${flow}, deployment ${JSON.stringify(d.name)}`;
    const say = (what: string) => problems.push(`${where}: ${what}`);
    if (typeof d.name !== 'string' || !NAME.test(d.name)) say('the name must be letters, digits, "-", "_" or "." (and start with a letter or digit)');
    if (seen.has(d.name)) say('declared twice');
    seen.add(d.name);
    const timezone = d.timezone ?? 'UTC';
    if (!isTimeZone(timezone)) say(`unknown timezone ${JSON.stringify(timezone)} (use an IANA name such as "Europe/Amsterdam")`);
    for (const cron of cronsOf(d)) {
      const problem = cronProblem(cron, isTimeZone(timezone) ? timezone : 'UTC');
      if (problem) say(`invalid cron ${JSON.stringify(cron)}: ${problem}`);
    }
    if (d.interval !== undefined) {
      const ms = durationMs(d.interval);
      if (ms === undefined || ms < 1000) say(`invalid interval ${JSON.stringify(d.interval)} (use e.g. "15 minutes", "1h", at least one second)`);
    }
    if (d.cron !== undefined && d.interval !== undefined) say('declare either cron or interval, not both');
    const timeout = runTimeoutProblem(d.runTimeout);
    if (timeout) say(timeout);
    if (d.concurrency !== undefined && !(Number.isInteger(d.concurrency) && d.concurrency >= 1)) {
      say(`invalid concurrency ${JSON.stringify(d.concurrency)} (use a whole number of at least 1)`);
    }
    if (d.overlap !== undefined && !Object.hasOwn(OVERLAP, d.overlap)) {
      say(`unknown overlap ${JSON.stringify(d.overlap)} (use ${Object.keys(OVERLAP).map((o) => `'${o}'`).join(', ')})`);
    }
    if (d.catchupWindow !== undefined) {
      const ms = durationMs(d.catchupWindow);
      if (ms === undefined || ms < 10_000) say(`invalid catchupWindow ${JSON.stringify(d.catchupWindow)} (use e.g. "10 minutes", "1h", at least 10 seconds)`);
    }
    problems.push(...triggerProblems(where, d.triggers));
    // The schedule stores the parameters as JSON: check what the run will get, not the object declared.
    const stored = jsonRoundTrip(d.parameters ?? {});
    if (!stored.ok) say(`parameters cannot be stored as JSON (${stored.error}); a deployment's parameters must be plain JSON values`);
    else {
      const parsed = parseParameters(flow, schema, stored.value);
      // A parameter every `after` trigger maps from the upstream result is given at start, not declared here.
      const given = triggerGiven(d);
      const issues = parsed.ok ? [] : parsed.issues.filter((i) => !given.has(i.path.split('.')[0]!));
      if (issues.length) say(`${invalidParametersMessage(flow, issues)} (as stored in the schedule, after JSON)`);
    }
  }
  return problems;
}

function jsonRoundTrip(value: unknown): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(JSON.stringify(value) ?? 'null') };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

function cronProblem(cron: string, tz: string): string | undefined {
  const trimmed = cron.trim();
  if (CRON_ALIASES.has(trimmed)) return undefined;
  if (trimmed.split(/\s+/).length !== 5) return 'expected five fields: minute hour day-of-month month day-of-week';
  try {
    CronExpressionParser.parse(trimmed, { tz, strict: false });
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function durationMs(d: string | number): number | undefined {
  const ms = durationToMs(d);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The Temporal Schedule spec of a deployment; an empty spec (manual only) never fires by itself. */
export function scheduleSpecOf(d: DeploymentDeclaration): ScheduleSpec {
  const crons = cronsOf(d);
  return {
    ...(crons.length ? { cronExpressions: crons } : {}),
    ...(d.interval !== undefined ? { intervals: [{ every: d.interval as never }] } : {}),
    timezone: d.timezone ?? 'UTC',
  };
}
