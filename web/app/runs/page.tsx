/**
 * The runs list: filters (flow, deployment, status, waiting for input, time range, started by) kept in the URL, counts per status,
 * pages; refreshes itself while a listed run is running.
 */
import Link from 'next/link';
import { requireUser } from '@/lib/auth/guard';
import { DEFAULT_PAGE_SIZE, PAGE_SIZES, runsHref, TIME_RANGES, type RunSearch, type SearchParams } from '@/lib/run-filters';
import { RUN_STATUS_LABELS, statusTone } from '@/lib/run-status';
import { getRunsList } from '@/lib/runs-presenter';
import { getSluice } from '@/lib/sluice.server';
import { AutoRefresh } from '@/components/auto-refresh';
import { RunsTable } from '@/components/runs-table';
import { BULK_FORM_ID, BulkRunActions } from '@/components/bulk-run-actions';
import { hasRole } from '@/lib/auth/roles';
import { MAX_BULK_RUNS } from '@/lib/run-actions';
import { RUN_STATUSES } from 'sluice/internal/types';

export const metadata = { title: 'Runs' };

export default async function RunsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requireUser('viewer');
  const view = await getRunsList(await getSluice(), await searchParams);
  const { search, counts } = view;
  const mine = user.startedBy;
  const canOperate = hasRole(user.role, 'operator');

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Runs</h1>
          <p className="subtitle">Every run of every flow, newest first.</p>
        </div>
        <div className="actions">
          <AutoRefresh active={view.anyRunning} />
          <Link className="button" href={runsHref(search, { startedBy: search.startedBy === mine ? '' : mine })}>
            {search.startedBy === mine ? 'Everyone’s runs' : 'My runs'}
          </Link>
        </div>
      </div>

      <form className="panel filters" method="get" action="/runs" aria-label="Filter runs">
        <label>
          Flow
          <select name="flow" defaultValue={search.flow} className="wide">
            <option value="">All flows</option>
            {view.flows.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
            {search.flow && !view.flows.includes(search.flow) && <option value={search.flow}>{search.flow}</option>}
          </select>
        </label>
        <label>
          Deployment
          <input type="text" name="deployment" defaultValue={search.deployment} placeholder="any" />
        </label>
        <label>
          Status
          <select name="status" defaultValue={search.status}>
            <option value="">Any status</option>
            {RUN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {RUN_STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Started by
          <input type="text" name="startedBy" defaultValue={search.startedBy} placeholder="user:alice@example.org" className="wide" />
        </label>
        <label>
          When
          <select name="range" defaultValue={search.range}>
            <option value="">Any time</option>
            {Object.entries(TIME_RANGES).map(([key, r]) => (
              <option key={key} value={key}>
                {r.label}
              </option>
            ))}
            <option value="custom">Between the dates →</option>
          </select>
        </label>
        <label>
          From (UTC)
          <input type="date" name="after" defaultValue={/^\d{4}-\d{2}-\d{2}$/.test(search.after) ? search.after : ''} />
        </label>
        <label>
          To (UTC)
          <input type="date" name="before" defaultValue={/^\d{4}-\d{2}-\d{2}$/.test(search.before) ? search.before : ''} />
        </label>
        {search.pageSize !== DEFAULT_PAGE_SIZE && <input type="hidden" name="pageSize" value={search.pageSize} />}
        {search.waiting && <input type="hidden" name="waiting" value={search.waiting} />}
        <button type="submit" className="primary">
          Apply
        </button>
        <Link href="/runs" className="button">
          Clear
        </Link>
      </form>

      {view.notices.map((n) => (
        <div className="notice" key={n}>
          {n}
        </div>
      ))}

      <nav className="counts" aria-label="Runs per status">
        <Link href={runsHref(search, { status: '' })} aria-current={search.status === '' ? 'true' : undefined}>
          All <span className="n">{counts.total}</span>
        </Link>
        {RUN_STATUSES.filter((s) => (counts.byStatus[s] ?? 0) > 0 || s === search.status || s === 'running' || s === 'failed').map((s) => (
          <Link key={s} href={runsHref(search, { status: s })} aria-current={search.status === s ? 'true' : undefined} data-status-count={s}>
            <span className={`badge tone-${statusTone(s)}`}>
              {RUN_STATUS_LABELS[s]}
            </span>
            <span className="n">{counts.byStatus[s] ?? 0}</span>
          </Link>
        ))}
        <Link href={runsHref(search, { waiting: search.waiting === 'input' ? '' : 'input' })} aria-current={search.waiting === 'input' ? 'true' : undefined} data-testid="waiting-filter">
          <span className="badge tone-warn">Waiting for input</span>
          {search.waiting === 'input' && <span className="n">{view.runs.length}{view.nextPageToken ? '+' : ''}</span>}
        </Link>
        <Link href={runsHref(search, { waiting: search.waiting === 'slot' ? '' : 'slot' })} aria-current={search.waiting === 'slot' ? 'true' : undefined} data-testid="waiting-slot-filter">
          <span className="badge tone-warn">Waiting for a slot</span>
          {search.waiting === 'slot' && <span className="n">{view.runs.length}{view.nextPageToken ? '+' : ''}</span>}
        </Link>
      </nav>

      {canOperate && <BulkRunActions filter={filterFields(search)} matching={search.status ? (counts.byStatus[search.status] ?? 0) : counts.total} max={MAX_BULK_RUNS} />}

      <section className="panel" style={{ padding: 0 }}>
        <RunsTable runs={view.runs} empty="No run matches these filters." selectForm={canOperate ? BULK_FORM_ID : undefined} />
      </section>

      <div className="pager">
        <span className="num">
          Page {search.page} · {view.runs.length} shown · per page{' '}
          {PAGE_SIZES.map((n) =>
            n === search.pageSize ? (
              <strong key={n}> {n}</strong>
            ) : (
              <Link key={n} href={runsHref(search, { pageSize: n })}>
                {' '}
                {n}
              </Link>
            ),
          )}
        </span>
        {search.page > 1 && (
          <Link className="button small" href={runsHref(search, { pageToken: '', page: 1 })}>
            ← First page
          </Link>
        )}
        {view.nextPageToken ? (
          <Link className="button small" href={runsHref(search, { pageToken: view.nextPageToken, page: search.page + 1 })} rel="next">
            Next page →
          </Link>
        ) : (
          <span className="faint">Last page</span>
        )}
      </div>
    </>
  );
}

/** The filter as the URL has it (no paging): what "all matching this filter" acts on. */
function filterFields(search: RunSearch): Record<string, string> {
  const { flow, deployment, status, waiting, startedBy, range, after, before } = search;
  return Object.fromEntries(Object.entries({ flow, deployment, status, waiting, startedBy, range, after, before }).filter(([, v]) => v !== ''));
}
