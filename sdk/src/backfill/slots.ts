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
  const tz = d.timezone ?? 'UTC';
  for (const cron of cronsOf(d)) {
    const it = CronExpressionParser.parse(cron.trim(), { currentDate: new Date(from.getTime() - 1), endDate: to, tz, strict: false });
    const { minute, hour, dayOfMonth, month, dayOfWeek } = it.fields;
    // Sunday is 0 or 7 in a cron's day of the week.
    const allowed = [minute, hour, dayOfMonth, month, dayOfWeek].map((f, i) => new Set((f.values as (number | string)[]).map((v) => (i === 4 && v === 7 ? 0 : v))));
    for (let n = 0; n < limit && it.hasNext(); ) {
      const t = it.next().getTime();
      // Each time is checked on the zone's clocks against every field, as Temporal's schedule fires: a time the
      // clocks skip (02:30 when they go from 02:00 to 03:00) is not fired, and a cron naming both days of the
      // month and of the week fires when both match (the parser takes either).
      const clock = wallClock(t, tz);
      if (clock.every((v, i) => allowed[i]!.has(v) || [...allowed[i]!].some((a) => typeof a === 'string'))) times.add(t), n++;
    }
  }
  if (d.interval !== undefined) {
    const every = durationMs(d.interval);
    if (every && every >= 1000) {
      for (let t = Math.ceil(from.getTime() / every) * every, n = 0; t <= to.getTime() && n < limit; t += every, n++) times.add(t);
    }
  }
  return [...times].sort((a, b) => a - b).slice(0, limit).map((t) => new Date(t));
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Minute, hour, day of the month, month and day of the week (0 = Sunday) of `t` on the clocks of `tz`. */
function wallClock(t: number, tz: string): number[] {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, minute: 'numeric', hour: 'numeric', day: 'numeric', month: 'numeric', weekday: 'short', hourCycle: 'h23' }).formatToParts(t);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return [Number(part('minute')), Number(part('hour')), Number(part('day')), Number(part('month')), WEEKDAYS.indexOf(part('weekday'))];
}
