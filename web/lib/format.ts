/**
 * Times and durations as people read them. Pure, so server pages and client components format alike and the
 * functions are unit-tested; `now` is a parameter so a test (and a ticking clock on the page) controls it.
 */

/** `850` → "850 ms", `12_300` → "12.3 s", `245_000` → "4 min 05 s", `7_380_000` → "2 h 03 min", 3 days → "3 d 0 h". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const total = Math.round(seconds);
  const s = total % 60;
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600) % 24;
  const d = Math.floor(total / 86400);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${pad(m)} min`;
  return `${m} min ${pad(s)} s`;
}

/** An instant as the pages receive it: an ISO string (Temporal), epoch milliseconds (the store) or a Date. */
export type Instant = string | number | Date;

function toDate(at: Instant): Date | undefined {
  const date = at instanceof Date ? at : new Date(at);
  return Number.isFinite(date.getTime()) ? date : undefined;
}

/**
 * "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago", "4 months ago", "in 10 min" (future times: next
 * scheduled runs). Words only: the absolute time, with its zone, goes beside it or in its title.
 */
export function formatRelative(at: Instant, now: number = Date.now()): string {
  const t = toDate(at)?.getTime();
  if (t === undefined) return '—';
  const diff = t - now;
  const abs = Math.abs(diff);
  if (abs < 5_000) return 'just now';
  const count = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  let text: string;
  if (abs < 60_000) text = `${Math.floor(abs / 1000)} s`;
  else if (abs < 3_600_000) text = `${Math.floor(abs / 60_000)} min`;
  else if (abs < 86_400_000) text = `${Math.floor(abs / 3_600_000)} h`;
  else if (abs < 60 * 86_400_000) text = `${Math.floor(abs / 86_400_000)} d`;
  else if (abs < 730 * 86_400_000) text = count(Math.floor(abs / (30 * 86_400_000)), 'month');
  else text = count(Math.floor(abs / (365 * 86_400_000)), 'year');
  return diff < 0 ? `${text} ago` : `in ${text}`;
}

type Style = 'parts' | 'short-en-GB' | 'short-en-US' | 'offset';
const STYLES: Record<Style, [string, Intl.DateTimeFormatOptions]> = {
  parts: ['en-GB', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }],
  'short-en-GB': ['en-GB', { timeZoneName: 'short' }],
  'short-en-US': ['en-US', { timeZoneName: 'short' }],
  'offset': ['en-GB', { timeZoneName: 'shortOffset' }],
};
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Formatters are kept: a page formats every time on it each second, and making one costs more than using it. */
function formatter(style: Style, timeZone: string): Intl.DateTimeFormat {
  const key = `${style} ${timeZone}`;
  let found = formatters.get(key);
  if (!found) {
    const [locale, options] = STYLES[style];
    found = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    formatters.set(key, found);
  }
  return found;
}

function part(style: Style, timeZone: string, date: Date, type: Intl.DateTimeFormatPartTypes): string {
  return formatter(style, timeZone).formatToParts(date).find((p) => p.type === type)?.value ?? '';
}

/** The zone if this runtime knows it, else UTC (a deployment's zone comes from outside the app). */
function knownZone(timeZone: string): string {
  try {
    formatter('parts', timeZone);
    return timeZone;
  } catch {
    return 'UTC';
  }
}

const OFFSET_NAME = /^GMT[+-]/;

/**
 * The zone's name at that instant, as people write it after a time: "CET"/"CEST", "GMT"/"BST", "EST"/"EDT",
 * "UTC"; where no abbreviation is in common use, the offset: "UTC+9", "UTC+5:30". The same zone can have two
 * names in one year (summer time), so the instant is needed.
 */
export function zoneName(at: Instant, timeZone: string): string {
  const date = toDate(at) ?? new Date(0);
  const zone = knownZone(timeZone);
  // British English knows Europe's abbreviations, American English America's; each gives "GMT+1" for the other's.
  for (const style of ['short-en-GB', 'short-en-US'] as const) {
    const name = part(style, zone, date, 'timeZoneName');
    if (name && !OFFSET_NAME.test(name)) return name;
  }
  const offset = part('offset', zone, date, 'timeZoneName') || 'GMT';
  return offset === 'GMT' ? 'UTC' : offset.replace(/^GMT/, 'UTC');
}

export interface TimeFormat {
  /** Show the seconds (default true); `'unless-zero'` for schedule times, which mostly fall on the minute. */
  seconds?: boolean | 'unless-zero';
  /** Show milliseconds too (log lines). */
  milliseconds?: boolean;
  /** Leave the date out (log lines, where the run's date is plain). */
  date?: boolean;
  /** Leave the zone's name out: only where one label names it for many times (the log lines' column). */
  withZone?: boolean;
}

/**
 * "2026-12-07 06:00:00 CET": an instant in an IANA time zone, naming the zone, so no time on a page stands without
 * one. UTC by default: what the server renders, as its HTML must not depend on where it runs (the browser then
 * shows the reader's zone, see components/time-ago.tsx). An unknown zone falls back to UTC, named as such.
 * "—" for no time at all.
 *
 * @example formatTime('2026-12-07T05:00:00Z', 'Europe/Amsterdam', { seconds: false }) // "2026-12-07 06:00 CET"
 */
export function formatTime(at: Instant | null | undefined, timeZone = 'UTC', format: TimeFormat = {}): string {
  const date = at === null || at === undefined ? undefined : toDate(at);
  if (!date) return '—';
  const zone = knownZone(timeZone);
  const parts = formatter('parts', zone).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const seconds = format.seconds ?? true;
  const ms = String(date.getUTCMilliseconds()).padStart(3, '0');
  let clock = `${get('hour')}:${get('minute')}`;
  if (format.milliseconds) clock += `:${get('second')}.${ms}`;
  else if (seconds === true || (seconds === 'unless-zero' && (get('second') !== '00' || ms !== '000'))) clock += `:${get('second')}`;
  const day = format.date === false ? '' : `${get('year')}-${get('month')}-${get('day')} `;
  return format.withZone === false ? `${day}${clock}` : `${day}${clock} ${zoneName(date, zone)}`;
}

export interface TimeLabelOptions {
  /** The reader's IANA zone, or null where it is not known (the server). */
  reader: string | null;
  /** The reader's now, for the relative part; null where it is not known (the server). */
  now: number | null;
  /** Show the time in this zone rather than the reader's (a deployment's next runs, in the deployment's zone). */
  zone?: string;
  /** The absolute time before the relative one (otherwise it is in the title only). */
  absolute?: boolean;
  seconds?: TimeFormat['seconds'];
}

/**
 * What a time on a page reads, and its title on hover: "5 min ago" / "2026-12-07 06:00:12 CET · 5 min ago", with
 * the reader's own time added when the time is shown in another zone and reads differently there. Without the
 * reader's now and zone (the server) the absolute time stands alone, in UTC or `zone`.
 *
 * @example timeLabel('2026-12-07T05:00:00Z', { reader: 'America/New_York', now, zone: 'Europe/Amsterdam', absolute: true, seconds: false })
 * // { text: "2026-12-07 06:00 CET · in 20 h · 2026-12-07 00:00 EST your time", title: "2026-12-07 06:00:00 CET (Europe/Amsterdam) · …" }
 */
export function timeLabel(at: Instant, options: TimeLabelOptions): { text: string; title: string } {
  const reader = options.reader ?? 'UTC';
  const shownZone = options.zone ?? reader;
  const format = { seconds: options.seconds ?? true };
  const exact = formatTime(at, shownZone, format);
  const readers = options.reader && options.zone ? formatTime(at, reader, format) : exact;
  const alsoReaders = readers !== exact ? readers : null;
  // The title names the zone in full too: abbreviations are ambiguous ("CST"), offsets say nothing of summer time.
  const named = (zone: string) => {
    const full = formatTime(at, zone);
    return full.endsWith(` ${zone}`) ? full : `${full} (${zone})`;
  };
  const title = alsoReaders ? `${named(shownZone)} · ${named(reader)} your time` : named(shownZone);
  if (options.now === null) return { text: exact, title };
  const relative = formatRelative(at, options.now);
  return { text: options.absolute ? `${exact} · ${relative}${alsoReaders ? ` · ${alsoReaders} your time` : ''}` : relative, title };
}

/** Milliseconds between two ISO times, or until `now` when the second is missing (a run still going). */
export function elapsedMs(startIso: string, endIso: string | null, now: number = Date.now()): number | null {
  const start = Date.parse(startIso);
  const end = endIso ? Date.parse(endIso) : now;
  return Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, end - start) : null;
}

/**
 * `user:alice@example.org` → "alice@example.org"; `token:etl` → "API token “etl”"; `schedule:flow:daily` →
 * "deployment daily" (Sluice's word for what the schedule runs); `flow:<workflow id>` (a child flow) → "flow run <id>";
 * `trigger:after:importDaily:<run>` → "trigger: after importDaily"; `trigger:http:file-arrived` → "trigger: HTTP call file-arrived".
 */
export function formatStartedBy(startedBy: string | null | undefined): string {
  if (!startedBy) return '—';
  const [kind, ...rest] = startedBy.split(':');
  const value = rest.join(':');
  if (kind === 'user') return value;
  if (kind === 'token') return `API token “${value}”`;
  if (kind === 'schedule') return `deployment ${rest[rest.length - 1] ?? value}`;
  if (kind === 'flow') return `flow run ${value}`;
  if (kind === 'trigger' && rest[0] === 'after' && rest.length >= 3) return `trigger: after ${rest[1]}`;
  if (kind === 'trigger' && rest[0] === 'http') return `trigger: HTTP call ${rest.slice(1).join(':')}`;
  return startedBy;
}

/** The upstream run an `after` trigger's run was started by (`trigger:after:<flow>:<workflowId>`), or null. */
export function upstreamOf(startedBy: string | null | undefined): string | null {
  const match = /^trigger:after:[^:]+:(.+)$/.exec(startedBy ?? '');
  return match ? match[1]! : null;
}

/** JSON for people: indented, with `undefined` shown as nothing rather than the word. */
export function formatJson(value: unknown): string {
  if (value === undefined) return '';
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/** `512` → "512 B", `1_536` → "1.5 KiB", `52_428_800` → "50.0 MiB", in powers of 1024 up to TiB. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
