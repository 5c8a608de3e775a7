/**
 * From declared limits to what a run takes: a flow's `concurrency` (optionally per a key of its parameters), a
 * deployment's `concurrency`, a task's `concurrency` and `rateLimit`. Also the checks the worker runs at start,
 * so a bad declaration stops it with a readable message instead of failing runs.
 *
 * Sandbox-safe: imports only types and the duration parser Temporal uses (ms).
 */
import { durationToMs } from '../temporal/time';
import type { LimitSpec } from './acquire';
import type { ConcurrencyLimit, RateLimit } from './limit-types';

const DEFAULT_RATE_WINDOW_MS = 60_000;

/** The slots a run of `flow` takes before its body: the flow's, then its deployment's. */
export function runLimitsOf(
  flow: string,
  declared: number | ConcurrencyLimit<any> | undefined,
  parameters: unknown,
  deployment?: { name: string; concurrency?: number },
): LimitSpec[] {
  const specs: LimitSpec[] = [];
  if (declared !== undefined) {
    const { limit, key } = typeof declared === 'number' ? { limit: declared, key: undefined } : declared;
    const resolved = typeof key === 'function' ? `flow:${flow}:${String(key(parameters))}` : (key ?? `flow:${flow}`);
    specs.push({ kind: 'concurrency', key: resolved, limit, what: `run of flow ${flow}` });
  }
  if (deployment?.concurrency !== undefined) {
    specs.push({ kind: 'concurrency', key: `deployment:${flow}.${deployment.name}`, limit: deployment.concurrency, what: `run of deployment ${flow}.${deployment.name}` });
  }
  return specs;
}

/** The slot and start a call of `task` takes: its concurrency slot first, then (holding it) a start. */
export function taskLimitsOf(task: string, options: { concurrency?: number | ConcurrencyLimit; rateLimit?: RateLimit }): LimitSpec[] {
  const specs: LimitSpec[] = [];
  const c = options.concurrency;
  if (c !== undefined) {
    const { limit, key } = typeof c === 'number' ? { limit: c, key: undefined } : c;
    specs.push({ kind: 'concurrency', key: typeof key === 'string' ? key : `task:${task}`, limit, what: `task ${task}` });
  }
  const r = options.rateLimit;
  if (r !== undefined) {
    specs.push({ kind: 'rate', key: r.key ?? `task:${task}`, limit: r.limit, perMs: windowMs(r.per) ?? DEFAULT_RATE_WINDOW_MS, what: `task ${task}` });
  }
  return specs;
}

function windowMs(per: string | number | undefined): number | undefined {
  if (per === undefined) return undefined;
  const ms = durationToMs(per);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

const isCount = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 1;

/** What is wrong with a declared `concurrency` (on a flow: `key` may be a function; elsewhere a name). */
export function concurrencyProblem(value: unknown, keyMayBeFunction: boolean): string | undefined {
  if (value === undefined || isCount(value)) return undefined;
  const example = keyMayBeFunction ? "{ limit: 1, key: (p) => p.basin }" : "{ limit: 2, key: 'knmi-api' }";
  if (typeof value !== 'object' || value === null) return `invalid concurrency ${JSON.stringify(value)} (use a whole number of at least 1, or ${example})`;
  const { limit, key } = value as ConcurrencyLimit<unknown>;
  if (!isCount(limit)) return `invalid concurrency limit ${JSON.stringify(limit)} (use a whole number of at least 1)`;
  const keyOk = key === undefined || (typeof key === 'string' && key.trim() !== '') || (keyMayBeFunction && typeof key === 'function');
  if (!keyOk) return `invalid concurrency key ${typeof key === 'function' ? 'function' : JSON.stringify(key)} (use ${keyMayBeFunction ? 'a name or a function of the parameters' : 'a name'}, e.g. ${example})`;
  return undefined;
}

/** What is wrong with a declared `rateLimit`. */
export function rateLimitProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const r = value as RateLimit;
  if (typeof value !== 'object' || value === null || !isCount(r.limit)) {
    return `invalid rateLimit ${JSON.stringify(value)} (use e.g. { limit: 30, per: '1 minute' }: a whole number of starts of at least 1)`;
  }
  if (r.per !== undefined && windowMs(r.per) === undefined) return `invalid rateLimit per ${JSON.stringify(r.per)} (use e.g. '1 minute', '10s')`;
  if (r.key !== undefined && (typeof r.key !== 'string' || r.key.trim() === '')) return `invalid rateLimit key ${JSON.stringify(r.key)} (use a name, e.g. 'knmi-api')`;
  return undefined;
}
