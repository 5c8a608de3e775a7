'use client';

/**
 * A run's logs, live. Opens on the newest lines, polls for new ones about once a second while the run is
 * running, and pages back on request. Only the rows in view are in the DOM (fixed row height), and at most
 * MAX_LINES are held in memory, so a run with 100,000 lines stays smooth; the download has every line.
 * The box has a fixed height: lines arriving never push the rest of the page around.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { LogLine } from '@/lib/log-feed';
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
  const zone = useReaderZone() ?? 'UTC';

  const box = useRef<HTMLDivElement>(null);
  const generation = useRef(0); // bumps when the filters change: answers to older queries are dropped
  const linesRef = useRef<LogLine[]>([]);
  const stickToBottom = useRef(true);
  const keepOffset = useRef<number | null>(null);
  linesRef.current = lines;

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

  const fetchLines = useCallback(
    async (extra: Record<string, string | number>): Promise<LogLine[]> => {
      const res = await fetch(`${base}?${query(extra)}`, { cache: 'no-store', headers: { accept: 'application/json' } });
      if (res.status === 401) throw new Error('Your session has ended: log in again to see new lines.');
      const body = (await res.json().catch(() => null)) as { lines?: LogLine[]; error?: { message?: string } } | null;
      if (!res.ok || !body?.lines) throw new Error(body?.error?.message ?? `The log feed answered ${res.status}.`);
      return body.lines;
    },
    [base, query],
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
    stickToBottom.current = true;
    fetchLines({ order: 'desc', limit: PAGE })
      .then((page) => {
        if (gen !== generation.current) return;
        setLines(page);
        setHasEarlier(page.length === PAGE);
        setError(null);
        setLoaded(true);
        setSelected(null);
      })
      .catch((err: Error) => gen === generation.current && (setError(err.message), setLoaded(true)));
  }, [fetchLines]);

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
        const last = linesRef.current[linesRef.current.length - 1];
        const page = await fetchLines({ afterId: last?.id ?? 0, limit: PAGE });
        if (stopped || gen !== generation.current) return;
        if (page.length > 0) {
          setLines((current) => {
            const known = current.length ? current[current.length - 1].id : 0;
            const fresh = page.filter((l) => l.id > known);
            const next = current.concat(fresh);
            if (next.length <= MAX_LINES) return next;
            setHasEarlier(true);
            return next.slice(next.length - MAX_LINES);
          });
        }
        setError(null);
        more = page.length === PAGE;
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
  }, [loaded, running, finalRead, fetchLines]);

  const loadEarlier = async () => {
    const first = lines[0];
    if (!first || loadingEarlier) return;
    const gen = generation.current;
    setLoadingEarlier(true);
    try {
      const page = await fetchLines({ order: 'desc', beforeId: first.id, limit: PAGE });
      if (gen !== generation.current) return;
      keepOffset.current = page.length * ROW; // keep the lines in view where they are
      stickToBottom.current = false;
      setLines((current) => page.concat(current));
      setHasEarlier(page.length === PAGE);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setLoadingEarlier(false);
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
        <span className="status" aria-live="polite">
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
      <div className="log-view" ref={box} onScroll={onScroll} tabIndex={0} aria-label="Log lines">
        {hasEarlier && (
          <div className="log-more" style={{ height: headRoom }}>
            {full ? (
              <span className="faint">Showing the newest {MAX_LINES.toLocaleString('en')} lines here; the download has them all.</span>
            ) : (
              <button type="button" className="small" onClick={loadEarlier} disabled={loadingEarlier}>
                {loadingEarlier ? 'Loading…' : `Load ${PAGE.toLocaleString('en')} earlier lines`}
              </button>
            )}
          </div>
        )}
        {loaded && lines.length === 0 && !error && (
          <div className="log-empty">{filtered ? 'No line matches these filters.' : running ? 'No log lines yet; new ones appear here as the run writes them.' : 'This run wrote no log lines.'}</div>
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
