'use client';

/**
 * A run's logs, live. Opens on the newest lines, polls for new ones about once a second while the run is
 * running, and pages back on request. Only the rows in view are in the DOM (fixed row height), and at most
 * MAX_LINES are held in memory, so a run with 100,000 lines stays smooth; the download has every line.
 * The box has a fixed height: lines arriving never push the rest of the page around.
 *
 * With a filter (search, level, task) each answer of the feed has searched a bounded part of the run and says how far
 * it got (route.ts of the feed): the viewer asks for older parts by itself until it has a page of matches or reached
 * the run's first line, showing the matches as they come and how far it has searched; "earlier" goes on from there,
 * and the tail from the highest id searched (not from the last match: that would search the same lines again).
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { LogFeedPage, LogLine } from '@/lib/log-feed';
import { formatTime, zoneName } from '@/lib/format';
import { useReaderZone } from './page-clock';

const ROW = 20; // px; matches --log-row in globals.css
const PAGE = 1000;
const MAX_LINES = 20_000;
const POLL_MS = 1000;
const OVERSCAN = 20;
const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

interface Filters {
  minLevel: string;
  search: string;
  task: string;
}

/** How far the filtered search back from the newest line has got. */
interface SearchProgress {
  /** The filters it searches with: a progress of other filters is not shown (it is replaced once their search answers). */
  filters: Filters;
  /** Lines searched so far (the windows the feed counted). */
  searched: number;
  /** False once the feed answered with its index (the lines it skipped are not counted). */
  counted: boolean;
  /** The run's first line was searched. */
  reachedStart: boolean;
  /** Still asking for older parts. */
  searching: boolean;
}

const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

function progressText(p: SearchProgress, matches: number): string {
  if (p.searching) return `Searching older lines… ${count(p.searched, 'line')} searched, ${count(matches, 'match', 'matches')} so far`;
  if (p.reachedStart) return p.counted ? `Searched all ${count(p.searched, 'line')}: ${count(matches, 'match', 'matches')}` : `Searched the whole run: ${count(matches, 'match', 'matches')}`;
  return `Showing the newest ${count(matches, 'match', 'matches')}${p.counted ? ` (${count(p.searched, 'line')} searched)` : ''}; earlier lines are searched on request`;
}

function source(line: LogLine): string {
  if (!line.task) return 'flow';
  return line.attempt && line.attempt > 1 ? `${line.task} #${line.attempt}` : line.task;
}

function firstLine(message: string): string {
  const i = message.indexOf('\n');
  return i < 0 ? message : `${message.slice(0, i)} …`;
}

export function LogViewer({ workflowId, runId, running, tasks }: { workflowId: string; runId: string; running: boolean; tasks: string[] }) {
  const base = `/api/ui/runs/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/logs`;
  const [lines, setLines] = useState<LogLine[]>([]);
  const [hasEarlier, setHasEarlier] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [filters, setFilters] = useState<Filters>({ minLevel: 'debug', search: '', task: '' });
  const [searchText, setSearchText] = useState('');
  const [selected, setSelected] = useState<number | null>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewHeight, setViewHeight] = useState(480);
  const [loadingEarlier, setLoadingEarlier] = useState(false);
  const [progress, setProgress] = useState<SearchProgress | null>(null);
  const zone = useReaderZone() ?? 'UTC';

  const box = useRef<HTMLDivElement>(null);
  const generation = useRef(0); // bumps when the filters change: answers to older queries are dropped
  const stickToBottom = useRef(true);
  const keepOffset = useRef<number | null>(null);
  /** Older lines are read with this beforeId (null: the run's first line was searched). */
  const earlier = useRef<number | null>(null);
  /** The tail reads with this afterId: every line up to it was searched. */
  const tailFrom = useRef(0);

  const query = useCallback(
    (extra: Record<string, string | number>) => {
      const q = new URLSearchParams();
      if (filters.minLevel !== 'debug') q.set('minLevel', filters.minLevel);
      if (filters.search) q.set('search', filters.search);
      if (filters.task) q.set('task', filters.task);
      for (const [k, v] of Object.entries(extra)) q.set(k, String(v));
      return q;
    },
    [filters],
  );

  const fetchPage = useCallback(
    async (extra: Record<string, string | number>): Promise<LogFeedPage> => {
      const res = await fetch(`${base}?${query(extra)}`, { cache: 'no-store', headers: { accept: 'application/json' } });
      if (res.status === 401) throw new Error('Your session has ended: log in again to see new lines.');
      const body = (await res.json().catch(() => null)) as (LogFeedPage & { error?: { message?: string } }) | null;
      if (!res.ok || !body?.lines) throw new Error(body?.error?.message ?? `The log feed answered ${res.status}.`);
      return body;
    },
    [base, query],
  );

  /**
   * Reads older lines from `beforeId` (undefined: the newest) until a page of them or the run's first line, each
   * answer shown as it comes; stops when the filters change. Resolves with the number of lines added.
   */
  const readBack = useCallback(
    async (gen: number, beforeId: number | undefined, onPage: (page: LogFeedPage, first: boolean) => void): Promise<number> => {
      let found = 0;
      let cursor = beforeId;
      for (let first = true; ; first = false) {
        const page = await fetchPage({ order: 'desc', limit: PAGE - found, ...(cursor !== undefined ? { beforeId: cursor } : {}) });
        if (gen !== generation.current) return found;
        found += page.lines.length;
        earlier.current = page.beforeId ?? null;
        onPage(page, first);
        setProgress((p) => {
          const before = p?.filters === filters ? p : undefined;
          const searched = (before?.searched ?? 0) + (page.searched ?? 0);
          return { filters, searched, counted: (before?.counted ?? true) && page.searched !== null, reachedStart: page.beforeId === null, searching: page.more && found < PAGE };
        });
        setHasEarlier(page.beforeId !== null && page.beforeId !== undefined);
        if (!page.more || found >= PAGE || page.beforeId == null) return found;
        cursor = page.beforeId;
      }
    },
    [fetchPage, filters],
  );

  // Debounce the search box: one query per pause in typing, not per key.
  useEffect(() => {
    const id = setTimeout(() => setFilters((f) => (f.search === searchText.trim() ? f : { ...f, search: searchText.trim() })), 300);
    return () => clearTimeout(id);
  }, [searchText]);

  // (Re)load the newest page whenever the filters change.
  useEffect(() => {
    const gen = ++generation.current;
    setLoaded(false);
    setProgress(null);
    setLoadingEarlier(false);
    stickToBottom.current = true;
    readBack(gen, undefined, (page, first) => {
      if (first) {
        tailFrom.current = page.afterId;
        setLines(page.lines);
        setSelected(null);
        setError(null);
        setLoaded(true);
      } else {
        // Older matches go above: the view stays at the newest, or where the reader scrolled to.
        if (page.lines.length && !stickToBottom.current) keepOffset.current = page.lines.length * ROW;
        setLines((current) => page.lines.concat(current));
      }
    }).catch((err: Error) => gen === generation.current && (setError(err.message), setLoaded(true), setProgress((p) => p && { ...p, searching: false })));
  }, [readBack]);

  // Tail while the run runs; one last read after it stops catches the final lines.
  const [finalRead, setFinalRead] = useState(false);
  useEffect(() => {
    if (!running) setFinalRead(true);
  }, [running]);
  useEffect(() => {
    if (!loaded || (!running && !finalRead)) return;
    const gen = generation.current;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const poll = async () => {
      let more = false;
      try {
        const page = await fetchPage({ afterId: tailFrom.current, limit: PAGE });
        if (stopped || gen !== generation.current) return;
        tailFrom.current = Math.max(tailFrom.current, page.afterId);
        // The lines the tail searched count with the search's: "Searched all N lines" stays true as the run grows.
        const tailSearched = page.searched;
        if (tailSearched !== 0) setProgress((p) => (p?.filters === filters ? { ...p, searched: p.searched + (tailSearched ?? 0), counted: p.counted && tailSearched !== null } : p));
        if (page.lines.length > 0) {
          setLines((current) => {
            const known = current.length ? current[current.length - 1].id : 0;
            const fresh = page.lines.filter((l) => l.id > known);
            const next = current.concat(fresh);
            if (next.length <= MAX_LINES) return next;
            const kept = next.slice(next.length - MAX_LINES);
            earlier.current = kept[0].id;
            setHasEarlier(true);
            return kept;
          });
        }
        setError(null);
        more = page.more;
      } catch (err) {
        if (!stopped) setError((err as Error).message);
      }
      if (stopped) return;
      if (!running) {
        if (more) timer = setTimeout(poll, 0);
        else setFinalRead(false);
        return;
      }
      timer = setTimeout(poll, more ? 0 : POLL_MS);
    };
    timer = setTimeout(poll, running ? POLL_MS : 0);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [loaded, running, finalRead, fetchPage, filters]);

  const loadEarlier = async () => {
    if (earlier.current === null || loadingEarlier) return;
    const gen = generation.current;
    setLoadingEarlier(true);
    stickToBottom.current = false;
    setProgress((p) => p && { ...p, searching: true });
    try {
      await readBack(gen, earlier.current, (page) => {
        keepOffset.current = page.lines.length * ROW; // keep the lines in view where they are
        setLines((current) => page.lines.concat(current));
      });
    } catch (err) {
      if (gen === generation.current) setError((err as Error).message);
    } finally {
      if (gen === generation.current) setLoadingEarlier(false);
    }
  };

  // Follow the newest line when the reader is at the bottom; hold position when lines are added above.
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    if (keepOffset.current !== null) {
      el.scrollTop += keepOffset.current;
      keepOffset.current = null;
    } else if (stickToBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
    setScrollTop(el.scrollTop);
  }, [lines]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setViewHeight(el.clientHeight);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    setScrollTop(el.scrollTop);
    stickToBottom.current = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW * 2;
  };

  const headRoom = hasEarlier ? 36 : 0; // the "earlier lines" bar above the first line
  const first = Math.max(0, Math.floor((scrollTop - headRoom) / ROW) - OVERSCAN);
  const last = Math.min(lines.length, Math.ceil((scrollTop - headRoom + viewHeight) / ROW) + OVERSCAN);
  const visible = lines.slice(first, last);
  const selectedLine = useMemo(() => (selected === null ? undefined : lines.find((l) => l.id === selected)), [selected, lines]);
  const full = lines.length >= MAX_LINES;

  const downloadQuery = query({}).toString();
  const filtered = filters.minLevel !== 'debug' || filters.search !== '' || filters.task !== '';
  // Named as at the newest line: a zone's name changes with summer time.
  const zoneLabel = zoneName(lines[lines.length - 1]?.time ?? 0, zone);

  return (
    <div data-testid="log-viewer">
      <div className="log-toolbar">
        <select
          aria-label="Lowest level shown"
          value={filters.minLevel}
          onChange={(e) => setFilters((f) => ({ ...f, minLevel: e.target.value }))}
        >
          {LEVELS.map((l) => (
            <option key={l} value={l}>
              {l === 'debug' ? 'All levels' : `${l} and above`}
            </option>
          ))}
        </select>
        {tasks.length > 0 && (
          <select aria-label="Task" value={filters.task} onChange={(e) => setFilters((f) => ({ ...f, task: e.target.value }))}>
            <option value="">All tasks and the flow</option>
            {tasks.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        )}
        <input type="search" placeholder="Search the logs…" aria-label="Search the logs" value={searchText} onChange={(e) => setSearchText(e.target.value)} />
        <a className="button small" href={`${base}/download${downloadQuery ? `?${downloadQuery}` : ''}`} download>
          Download .log
        </a>
        <a className="button small" href={`${base}/download?${query({ format: 'ndjson' })}`} download>
          NDJSON
        </a>
        <span className="status" aria-live="polite" data-testid="log-count">
          {lines.length.toLocaleString('en')} {lines.length === 1 ? 'line' : 'lines'}
          {filtered ? ' matching' : ''}
          {running ? ' · live' : ''}
        </span>
        {/* The lines show the time of day only: one label names their zone. */}
        <span className="muted" data-testid="log-zone">
          times in {zoneLabel === zone ? zone : `${zoneLabel} (${zone})`}
        </span>
      </div>
      {error && <div className="form-error" role="alert">{error}</div>}
      {filtered && progress?.filters === filters && (
        <div className="log-search-status muted" data-testid="log-search-status" aria-live="polite">
          {progressText(progress, lines.length)}
        </div>
      )}
      <div className="log-view" ref={box} onScroll={onScroll} tabIndex={0} aria-label="Log lines">
        {hasEarlier && (
          <div className="log-more" style={{ height: headRoom }}>
            {full ? (
              <span className="faint">Showing the newest {MAX_LINES.toLocaleString('en')} lines here; the download has them all.</span>
            ) : (
              <button type="button" className="small" onClick={loadEarlier} disabled={loadingEarlier}>
                {loadingEarlier ? (filtered ? 'Searching…' : 'Loading…') : filtered ? 'Search earlier lines' : `Load ${PAGE.toLocaleString('en')} earlier lines`}
              </button>
            )}
          </div>
        )}
        {loaded && lines.length === 0 && !error && (
          <div className="log-empty">{filtered ? (progress?.filters !== filters || progress.searching ? 'Searching…' : progress.reachedStart ? 'No line matches these filters.' : 'No match in the lines searched so far.') : running ? 'No log lines yet; new ones appear here as the run writes them.' : 'This run wrote no log lines.'}</div>
        )}
        {!loaded && <div className="log-empty">Loading logs…</div>}
        <div className="log-spacer" style={{ height: lines.length * ROW }}>
          {visible.map((line, i) => (
            <div
              key={line.id}
              className={`log-line${line.id === selected ? ' selected' : ''}`}
              style={{ top: (first + i) * ROW }}
              data-level={line.level}
              onClick={() => setSelected(line.id === selected ? null : line.id)}
              title="Click for the whole line"
            >
              <span className="t">{formatTime(line.time, zone, { date: false, milliseconds: true, withZone: false })}</span> <span className={`lvl lvl-${line.level}`}>{line.level.toUpperCase()}</span>{' '}
              <span className="src">[{source(line)}]</span> {firstLine(line.message)}
              {line.fields && <span className="fields"> {JSON.stringify(line.fields)}</span>}
            </div>
          ))}
        </div>
      </div>
      {selectedLine && (
        <div className="log-detail">
          <div className="muted">
            {formatTime(selectedLine.time, zone, { milliseconds: true })} · {selectedLine.level} · {source(selectedLine)}
          </div>
          <pre className="block">
            {selectedLine.message}
            {selectedLine.fields ? `\n\n${JSON.stringify(selectedLine.fields, null, 2)}` : ''}
          </pre>
        </div>
      )}
    </div>
  );
}
