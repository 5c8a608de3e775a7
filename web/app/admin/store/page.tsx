// The store (admins only): its kind and size, its main tables' rows, its oldest log line, the retention in force
// and what the last sweeps deleted — so an admin sees that old log lines really go.
import { SWEPT_TABLES, type RetentionSetting } from 'sluice/internal/store';
import { requireUser } from '@/lib/auth/guard';
import { getEnv } from '@/lib/env';
import { formatBytes, formatDuration } from '@/lib/format';
import { currentRetentionMs } from '@/lib/retention.server';
import { getStore } from '@/lib/sluice.server';
import { getStoreView } from '@/lib/store-presenter';
import { formatTime } from '@/lib/format';

export const metadata = { title: 'Store' };
export const dynamic = 'force-dynamic';

const DAY_MS = 86_400_000;
const KIND = { sqlite: 'SQLite', postgres: 'PostgreSQL' } as const;

function period(ms: number): string {
  return ms % DAY_MS === 0 ? `${ms / DAY_MS} days` : formatDuration(ms);
}

function source(setting: RetentionSetting): string {
  if (setting.kind === 'fixed') return `SLUICE_RETENTION=${setting.text}`;
  if (setting.kind === 'off') return 'SLUICE_RETENTION=off: nothing is deleted';
  return "the Temporal namespace's retention, as long as runs are kept (SLUICE_RETENTION unset)";
}

export default async function StorePage() {
  await requireUser('admin');
  const { retention } = getEnv();
  const view = await getStoreView(await getStore(), retention, currentRetentionMs);
  const { stats, sweeps } = view;
  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>Store</h1>
          <p className="subtitle">
            Where Sluice keeps log lines, the flow catalog, users, tokens and notifications. Log lines, sent notifications and login failures older
            than the retention period are deleted by the web app, a little at a time, every hour.
          </p>
        </div>
      </div>

      <section className="panel">
        <h2>Store</h2>
        <dl className="facts" data-testid="store-facts">
          <dt>Kind</dt>
          <dd data-testid="store-kind">{KIND[stats.dialect]}</dd>
          <dt>Size</dt>
          <dd data-testid="store-size" data-bytes={stats.sizeBytes}>
            {formatBytes(stats.sizeBytes)} <span className="muted">({stats.sizeBytes.toLocaleString('en')} bytes{stats.freeBytes !== null && `, ${formatBytes(stats.freeBytes)} free for reuse`})</span>
          </dd>
          <dt>Oldest log line</dt>
          <dd data-testid="store-oldest-log" data-time={stats.oldestLogTime ?? ''}>
            {stats.oldestLogTime === null ? 'no log lines' : formatTime(stats.oldestLogTime)}
          </dd>
          <dt>Retention</dt>
          <dd data-testid="store-retention">
            {view.retention.ms !== null ? period(view.retention.ms) : view.retention.setting.kind === 'off' ? 'off' : 'unknown'}{' '}
            <span className="muted">— {source(view.retention.setting)}</span>
            {view.retention.problem && <div className="form-error">Cannot read it now: {view.retention.problem}</div>}
          </dd>
          <dt>Last sweep</dt>
          <dd data-testid="store-last-sweep">{sweeps[0] ? `${formatTime(sweeps[0].finishedAt)}, ${Object.values(sweeps[0].deleted).reduce((a, b) => a + b, 0)} rows deleted` : 'none yet'}</dd>
        </dl>
      </section>

      <section className="panel">
        <h2>Rows</h2>
        <table className="data" data-testid="store-rows">
          <thead>
            <tr>
              <th>Table</th>
              <th className="num">Rows</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(stats.rows).map(([table, n]) => (
              <tr key={table}>
                <td className="mono">{table}</td>
                <td className="num" data-testid={`rows-${table}`}>
                  {n.toLocaleString('en')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="panel">
        <h2>
          Sweeps <span className="muted">(newest first)</span>
        </h2>
        {sweeps.length === 0 ? (
          <p className="muted">No sweep yet: the first runs shortly after the web app starts.</p>
        ) : (
          <table className="data" data-testid="store-sweeps">
            <thead>
              <tr>
                <th>Finished</th>
                <th>Deleted rows older than</th>
                {SWEPT_TABLES.map((t) => (
                  <th key={t} className="num mono">
                    {t}
                  </th>
                ))}
                <th>By</th>
              </tr>
            </thead>
            <tbody>
              {sweeps.map((s, i) => (
                <tr key={`${s.finishedAt}-${i}`} data-testid={`sweep-${i}`}>
                  <td>
                    {formatTime(s.finishedAt)}
                    <div className="muted">took {formatDuration(s.finishedAt - s.startedAt)}</div>
                  </td>
                  <td>{formatTime(s.olderThan)}</td>
                  {SWEPT_TABLES.map((t) => (
                    <td key={t} className="num" data-testid={`sweep-${i}-${t}`}>
                      {s.deleted[t].toLocaleString('en')}
                    </td>
                  ))}
                  <td className="muted">{s.sweptBy}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
