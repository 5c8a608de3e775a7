/**
 * A run's logs for the run page: the query the live viewer sends (validated with zod), the lines it gets back,
 * and the full download (every line, in pages, as text or NDJSON) without holding 100,000 lines in memory.
 *
 * @example
 * const q = parseLogFeedQuery(new URL(req.url).searchParams);   // { ok: false, error } on bad input
 * const lines = await readLogFeed(client, runId, q.value);
 */
import { z } from 'zod';
import type { SluiceClient } from 'sluice/client';
import { LOG_LEVELS, type LogLevel, type LogQuery, type StoredLog } from 'sluice/internal/types';

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

/** One page of lines, always oldest first (a `desc` query reads the newest page, then is turned around). */
export async function readLogFeed(client: Pick<SluiceClient, 'readLogs'>, runId: string, q: LogFeedQuery): Promise<LogLine[]> {
  const query: LogQuery = { runId, limit: q.limit ?? FEED_PAGE, order: q.order ?? 'asc' };
  if (q.afterId !== undefined) query.afterId = q.afterId;
  if (q.beforeId !== undefined) query.beforeId = q.beforeId;
  if (q.minLevel) query.minLevel = q.minLevel;
  if (q.search) query.search = q.search;
  if (q.task) query.task = q.task;
  const logs = await client.readLogs(query);
  const lines = logs.map(toLogLine);
  return query.order === 'desc' ? lines.reverse() : lines;
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
