/**
 * A deployment's schedule in words, for people who do not read cron: "At 06:00, Monday through Friday
 * (Europe/Amsterdam)", "Every 15 minutes", "Manual only".
 *
 * @example describeSchedule({ cron: ['0 6 * * 1-5'], interval: null, timezone: 'Europe/Amsterdam' })
 */
import cronstrue from 'cronstrue';

export interface ScheduleSpec {
  cron: string[];
  interval: string | number | null;
  timezone: string;
}

/** One cron expression in words; the expression itself when it cannot be read (never throws). */
export function cronToWords(expression: string): string {
  try {
    return cronstrue.toString(expression, { use24HourTimeFormat: true, throwExceptionOnParseError: true });
  } catch {
    return `cron “${expression}”`;
  }
}

const UNITS: [RegExp, number, string][] = [
  [/^(ms|msec|milliseconds?)$/, 1, 'millisecond'],
  [/^(s|sec|secs|seconds?)$/, 1000, 'second'],
  [/^(m|min|mins|minutes?)$/, 60_000, 'minute'],
  [/^(h|hr|hrs|hours?)$/, 3_600_000, 'hour'],
  [/^(d|days?)$/, 86_400_000, 'day'],
  [/^(w|weeks?)$/, 604_800_000, 'week'],
];

/** Milliseconds in an interval such as `15 minutes`, `1h`, `90s`, `2d`, or a number of milliseconds. */
export function intervalToMs(interval: string | number): number | undefined {
  if (typeof interval === 'number') return Number.isFinite(interval) && interval > 0 ? interval : undefined;
  const text = interval.trim().toLowerCase();
  if (/^\d+$/.test(text)) return Number(text);
  // Several parts may follow each other, as in Temporal's own "1h30m" or "1 hour 30 minutes".
  const compact = text.replace(/[\s,]+/g, '');
  if (!/^(\d+(\.\d+)?[a-z]+)+$/.test(compact)) return undefined;
  const parts = [...compact.matchAll(/(\d+(?:\.\d+)?)([a-z]+)/g)];
  let total = 0;
  for (const [, amount, unit] of parts) {
    const found = UNITS.find(([re]) => re.test(unit));
    if (!found) return undefined;
    total += Number(amount) * found[1];
  }
  return total > 0 ? total : undefined;
}

/** `900000` → "15 minutes"; `1000` → "1 second"; `'1h'` → "1 hour"; an unreadable value as written. */
export function durationToWords(duration: string | number): string {
  const ms = intervalToMs(duration);
  if (ms === undefined) return String(duration);
  for (const [, size, name] of [...UNITS].reverse()) {
    if (ms >= size && ms % size === 0) {
      const n = ms / size;
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return `${ms} milliseconds`;
}

/** `900000` → "Every 15 minutes"; `86400000` → "Every day". */
export function intervalToWords(interval: string | number): string {
  return intervalToMs(interval) === undefined ? `Every ${interval}` : `Every ${durationToWords(interval).replace(/^1 /, '')}`;
}

/** The whole schedule of a deployment in words. */
export function describeSchedule(spec: ScheduleSpec): string {
  const parts = [
    ...spec.cron.map((c) => cronToWords(c)),
    ...(spec.interval !== null && spec.interval !== '' ? [intervalToWords(spec.interval)] : []),
  ];
  if (parts.length === 0) return 'Manual only (no schedule)';
  const zone = spec.cron.length > 0 && spec.timezone && spec.timezone !== 'UTC' ? ` (${spec.timezone})` : spec.cron.length > 0 ? ' (UTC)' : '';
  return parts.join('; and ') + zone;
}
