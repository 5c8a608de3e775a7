/**
 * A run's logs for the run page: the query the live viewer sends (validated with zod), the lines it gets back,
 * and the full download (every line, in pages, as text or NDJSON) without holding 100,000 lines in memory.
 *
 * @example
 * const q = parseLogFeedQuery(new URL(req.url).searchParams);   // { ok: false, error } on bad input
 * const { lines, beforeId } = await readLogFeed(store, runId, q.value);
 */
import { z } from 'zod';
import type { SluiceClient } from 'sluice/client';
import { LOG_LEVELS, type LogLevel, type LogQuery, type StoredLog } from 'sluice/internal/types';
import type { LogPageOptions, Store } from 'sluice/internal/store';

/** One line as the browser gets it: short keys are not worth the unreadability; this is already compact. */
export interface LogLine {
  id: number;
  time: number;
  level: LogLevel;
  message: string;
  fields?: Record<string, unknown>;
  task: string | null;
  attempt: number | null;
}

export const FEED_PAGE = 1000;
const DOWNLOAD_PAGE = 5000;

const id = z.coerce.number().int('must be a whole number').min(0, 'must be 0 or more');

const feedQuery = z.object({
  afterId: id.optional(),
  beforeId: id.optional(),
  order: z.enum(['asc', 'desc']).optional(),
  minLevel: z.enum(LOG_LEVELS as [LogLevel, ...LogLevel[]]).optional(),
  // PostgreSQL refuses a NUL character in text: refused here, named, instead of failing the query.
  search: z.string().max(200, 'must be 200 characters or fewer').regex(/^[^\0]*$/, 'must not contain a NUL character').optional(),
  task: z.string().max(300).regex(/^[^\0]*$/, 'must not contain a NUL character').optional(),
  limit: z.coerce.number().int().min(1).max(FEED_PAGE, `must be at most ${FEED_PAGE}`).optional(),
});

export type LogFeedQuery = z.infer<typeof feedQuery>;

/** Reads the query string; empty values count as absent. */
export function parseLogFeedQuery(params: URLSearchParams): { ok: true; value: LogFeedQuery } | { ok: false; error: string } {
  const raw: Record<string, string> = {};
  for (const [key, value] of params) if (value !== '') raw[key] = value;
  const parsed = feedQuery.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, error: `The log query's ${issue?.path.join('.') || 'input'} ${issue?.message ?? 'is invalid'}.` };
}

export function toLogLine(log: StoredLog): LogLine {
  return {
    id: log.id,
    time: log.time,
    level: log.level,
    message: log.message,
    ...(log.fields && Object.keys(log.fields).length > 0 ? { fields: log.fields } : {}),
    task: log.task ?? null,
    attempt: log.attempt ?? null,
  };
}

/**
 * One answer of the live feed: a page of lines, always oldest first (a `desc` query reads the newest, then is turned
 * around), and how far the store searched (a filtered read looks at a bounded part of the run: Store.readLogPage).
 */
export interface LogFeedPage {
  lines: LogLine[];
  /** How many of the run's lines were searched; null when the trigram index answered (the whole range was searched). */
  searched: number | null;
  /** `desc` only: read older lines with this beforeId; null when the run's first line was searched. */
  beforeId?: number | null;
  /** Every line up to this id was searched: the live tail reads on with this afterId. */
  afterId: number;
  /** Lines in the read's direction are left to search: ask again from the cursor. */
  more: boolean;
}

/** One page of the feed (see LogFeedPage); `options` bound a filtered read (the web app's SLUICE_LOG_SEARCH_WINDOW). */
export async function readLogFeed(store: Pick<Store, 'readLogPage'>, runId: string, q: LogFeedQuery, options: LogPageOptions = {}): Promise<LogFeedPage> {
  const query: LogQuery = { runId, limit: q.limit ?? FEED_PAGE, order: q.order ?? 'asc' };
  if (q.afterId !== undefined) query.afterId = q.afterId;
  if (q.beforeId !== undefined) query.beforeId = q.beforeId;
  if (q.minLevel) query.minLevel = q.minLevel;
  if (q.search) query.search = q.search;
  if (q.task) query.task = q.task;
  const { logs, ...searched } = await store.readLogPage(query, options);
  const lines = logs.map(toLogLine);
  return { lines: query.order === 'desc' ? lines.reverse() : lines, ...searched };
}

/** `2024-05-01T06:00:00.123Z INFO  [download #2] message {"rows":42}` — one line of the text download. */
export function logLineText(line: Pick<LogLine, 'time' | 'level' | 'message' | 'fields' | 'task' | 'attempt'>): string {
  const source = line.task ? ` [${line.task}${line.attempt && line.attempt > 1 ? ` #${line.attempt}` : ''}]` : ' [flow]';
  const fields = line.fields && Object.keys(line.fields).length > 0 ? ` ${JSON.stringify(line.fields)}` : '';
  // A message with line breaks stays one record: continuation lines are indented.
  const message = line.message.replace(/\r?\n/g, '\n    ');
  return `${new Date(line.time).toISOString()} ${line.level.toUpperCase().padEnd(5)}${source} ${message}${fields}`;
}

/**
 * Every line of a run (matching the filters), oldest first, streamed page by page as text or NDJSON. The store is
 * read 5,000 lines at a time, so a run with 100,000 lines never sits in memory whole. The first page is read before
 * this resolves, so a store that does not answer rejects here (the caller answers 503); a page that fails later
 * errors the stream (the server then aborts the transfer: no silently truncated file) and is passed to `onError`.
 */
export async function logDownloadStream(
  client: Pick<SluiceClient, 'readLogs'>,
  runId: string,
  q: Pick<LogFeedQuery, 'minLevel' | 'search' | 'task'>,
  format: 'text' | 'ndjson',
  onError: (err: unknown) => void = () => undefined,
): Promise<ReadableStream<Uint8Array>> {
  const encoder = new TextEncoder();
  const filters = { ...(q.minLevel ? { minLevel: q.minLevel } : {}), ...(q.search ? { search: q.search } : {}), ...(q.task ? { task: q.task } : {}) };
  const read = (afterId: number) => client.readLogs({ runId, afterId, limit: DOWNLOAD_PAGE, order: 'asc', ...filters });
  const encode = (page: StoredLog[]) =>
    encoder.encode(page.map((l) => (format === 'ndjson' ? JSON.stringify(toLogLine(l)) : logLineText(toLogLine(l)))).join('\n') + '\n');
  let next: StoredLog[] | null = await read(0);
  let lastId = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const page: StoredLog[] = next ?? (await read(lastId));
        next = null;
        if (page.length === 0) return controller.close();
        lastId = page[page.length - 1].id;
        controller.enqueue(encode(page));
        if (page.length < DOWNLOAD_PAGE) controller.close();
      } catch (err) {
        onError(err);
        controller.error(err);
      }
    },
  });
}
