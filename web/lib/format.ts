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

/** "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago", "in 10 min" (future times: next scheduled runs). */
export function formatRelative(iso: string | Date, now: number = Date.now()): string {
  const t = typeof iso === 'string' ? Date.parse(iso) : iso.getTime();
  if (!Number.isFinite(t)) return '—';
  const diff = t - now;
  const abs = Math.abs(diff);
  if (abs < 5_000) return 'just now';
  let text: string;
  if (abs < 60_000) text = `${Math.floor(abs / 1000)} s`;
  else if (abs < 3_600_000) text = `${Math.floor(abs / 60_000)} min`;
  else if (abs < 86_400_000) text = `${Math.floor(abs / 3_600_000)} h`;
  else if (abs < 60 * 86_400_000) text = `${Math.floor(abs / 86_400_000)} d`;
  else return formatAbsolute(iso).slice(0, 10);
  return diff < 0 ? `${text} ago` : `in ${text}`;
}

/**
 * "2024-05-01 06:00:12" in the given IANA time zone (UTC by default, which the server uses so its HTML does not
 * depend on where it runs; the browser re-renders in the reader's own zone).
 */
export function formatAbsolute(iso: string | Date, timeZone = 'UTC'): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  if (!Number.isFinite(date.getTime())) return '—';
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

/** Milliseconds between two ISO times, or until `now` when the second is missing (a run still going). */
export function elapsedMs(startIso: string, endIso: string | null, now: number = Date.now()): number | null {
  const start = Date.parse(startIso);
  const end = endIso ? Date.parse(endIso) : now;
  return Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, end - start) : null;
}

/** `user:alice@example.org` → "alice@example.org"; `token:etl` → "token etl"; `schedule:flow:daily` → "schedule daily". */
export function formatStartedBy(startedBy: string | null | undefined): string {
  if (!startedBy) return '—';
  const [kind, ...rest] = startedBy.split(':');
  const value = rest.join(':');
  if (kind === 'user') return value;
  if (kind === 'token') return `API token “${value}”`;
  if (kind === 'schedule') return `schedule ${rest[rest.length - 1] ?? value}`;
  return startedBy;
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
