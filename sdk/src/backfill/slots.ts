/**
 * The slots of a deployment's schedule in a range: the times its cron or interval fires, as Temporal computes them
 * (cron in the deployment's timezone; intervals counted from the Unix epoch). The preview counts these; the
 * backfill runs one run per slot.
 */
import { CronExpressionParser } from 'cron-parser';
import type { DeploymentDeclaration } from '../client/types';
import { cronsOf, durationMs } from '../deployments';

/**
 * Every slot from `from` to `to` (both included), oldest first, stopping after `cap + 1` so a caller can tell
 * "too many" without computing them all.
 */
export function slotsOf(d: DeploymentDeclaration, from: Date, to: Date, cap: number): Date[] {
  const times = new Set<number>();
  const limit = cap + 1;
  for (const cron of cronsOf(d)) {
    const it = CronExpressionParser.parse(cron.trim(), { currentDate: new Date(from.getTime() - 1), endDate: to, tz: d.timezone ?? 'UTC', strict: false });
    for (let n = 0; n < limit && it.hasNext(); n++) times.add(it.next().getTime());
  }
  if (d.interval !== undefined) {
    const every = durationMs(d.interval);
    if (every && every >= 1000) {
      for (let t = Math.ceil(from.getTime() / every) * every, n = 0; t <= to.getTime() && n < limit; t += every, n++) times.add(t);
    }
  }
  return [...times].sort((a, b) => a - b).slice(0, limit).map((t) => new Date(t));
}
