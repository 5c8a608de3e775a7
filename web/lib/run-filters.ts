/**
 * The runs list's filters live in the URL (`/runs?flow=rainfall&status=failed&range=24h`), so a filtered list can
 * be bookmarked, shared and refreshed. This module reads them (zod; a wrong value is dropped with a readable
 * notice instead of failing the page) and writes links back.
 *
 * @example
 * const { filter, page } = parseRunSearch(await searchParams);
 * const runs = await client.listRuns(filter, page);
 */
import { z } from 'zod';
import { RUN_STATUSES, type RunFilter, type RunStatus } from 'sluice/internal/types';

export type SearchParams = Record<string, string | string[] | undefined>;

export const TIME_RANGES = {
  '1h': { label: 'Last hour', ms: 3_600_000 },
  '24h': { label: 'Last 24 hours', ms: 86_400_000 },
  '7d': { label: 'Last 7 days', ms: 7 * 86_400_000 },
  '30d': { label: 'Last 30 days', ms: 30 * 86_400_000 },
} as const;
export type TimeRange = keyof typeof TIME_RANGES;

export const PAGE_SIZES = [25, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = 25;

/** The filter values as the form shows them (all text). */
export interface RunSearch {
  flow: string;
  deployment: string;
  status: RunStatus | '';
  /** 'input': only runs waiting for a person's answer; 'slot': only runs waiting for a slot of a limit. */
  waiting: 'input' | 'slot' | '';
  startedBy: string;
  range: TimeRange | 'custom' | '';
  after: string; // YYYY-MM-DD or an ISO date-time, when range is custom
  before: string;
  pageSize: number;
  pageToken: string;
  /** 1-based page number, for display only (Temporal's page tokens go forward only). */
  page: number;
}

const text = z.string().trim().max(500);
const dateText = z
  .string()
  .trim()
  .refine((s) => s === '' || Number.isFinite(Date.parse(s)), 'is not a date (use YYYY-MM-DD or 2024-05-01T06:00:00Z)');

const FIELDS = {
  flow: text,
  deployment: text,
  status: z.enum(RUN_STATUSES as [RunStatus, ...RunStatus[]]),
  waiting: z.enum(['input', 'slot']),
  startedBy: text,
  range: z.enum(['1h', '24h', '7d', '30d', 'custom']),
  after: dateText,
  before: dateText,
  pageSize: z.coerce.number().int().refine((n) => (PAGE_SIZES as readonly number[]).includes(n), `must be one of ${PAGE_SIZES.join(', ')}`),
  pageToken: z.string().max(4000),
  page: z.coerce.number().int().min(1).max(100_000),
};

const DEFAULTS: RunSearch = {
  flow: '',
  deployment: '',
  status: '',
  waiting: '',
  startedBy: '',
  range: '',
  after: '',
  before: '',
  pageSize: DEFAULT_PAGE_SIZE,
  pageToken: '',
  page: 1,
};

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** A date-only bound covers the whole day: `before=2024-05-01` means up to the end of that day (UTC). */
function toDate(value: string, endOfDay: boolean): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return new Date(`${value}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z`);
  return new Date(value);
}

/** Reads the URL's search parameters into the form's values, the client's filter and page, and notices. */
export function parseRunSearch(
  params: SearchParams,
  now: number = Date.now(),
): { search: RunSearch; filter: RunFilter; page: { pageSize: number; pageToken?: string }; notices: string[] } {
  const search: RunSearch = { ...DEFAULTS };
  const notices: string[] = [];
  for (const [key, schema] of Object.entries(FIELDS) as [keyof RunSearch, z.ZodType][]) {
    const raw = first(params[key]);
    if (raw === undefined || raw === '') continue;
    const parsed = schema.safeParse(raw);
    if (parsed.success) (search as unknown as Record<string, unknown>)[key] = parsed.data;
    else notices.push(`Ignored the filter ${key}=“${raw.slice(0, 60)}”: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
  }

  // Dates given without a range: the dates are the range.
  if (!search.range && (search.after || search.before)) search.range = 'custom';

  const filter: RunFilter = {};
  if (search.flow) filter.flow = search.flow;
  if (search.deployment) filter.deployment = search.deployment;
  if (search.status) filter.status = search.status;
  if (search.waiting === 'input') filter.waitingForInput = true;
  if (search.waiting === 'slot') filter.waitingForSlot = true;
  if (search.startedBy) filter.startedBy = search.startedBy;
  if (search.range && search.range !== 'custom') filter.startedAfter = new Date(now - TIME_RANGES[search.range].ms);
  if (search.range === 'custom') {
    if (search.after) filter.startedAfter = toDate(search.after, false);
    if (search.before) filter.startedBefore = toDate(search.before, true);
    if (filter.startedAfter && filter.startedBefore && filter.startedAfter > filter.startedBefore) {
      notices.push('The “from” date is after the “to” date: no run can match. Swap them to see runs.');
    }
  }
  return { search, filter, page: { pageSize: search.pageSize, ...(search.pageToken ? { pageToken: search.pageToken } : {}) }, notices };
}

/**
 * A `/runs` link with the given search changed. Changing a filter starts again at page one, because page tokens
 * belong to one query.
 */
export function runsHref(search: Partial<RunSearch>, changes: Partial<RunSearch> = {}): string {
  const merged = { ...DEFAULTS, ...search, ...changes };
  const pagingOnly = Object.keys(changes).every((k) => k === 'pageToken' || k === 'page');
  if (!pagingOnly) {
    merged.pageToken = '';
    merged.page = 1;
  }
  if (merged.range !== 'custom') {
    merged.after = '';
    merged.before = '';
  }
  const query = new URLSearchParams();
  for (const key of Object.keys(DEFAULTS) as (keyof RunSearch)[]) {
    const value = merged[key];
    if (value !== '' && value !== DEFAULTS[key]) query.set(key, String(value));
  }
  const qs = query.toString();
  return qs ? `/runs?${qs}` : '/runs';
}

/** The same filter without its status: the counts per status are taken over it. */
export function withoutStatus(filter: RunFilter): RunFilter {
  const { status: _status, ...rest } = filter;
  return rest;
}
