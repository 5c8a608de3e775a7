/** Home: what needs attention, what is running now, what failed lately, what runs next. */
import Link from 'next/link';
import { requireUser } from '@/lib/auth/guard';
import { getHome, HOME_LIMITS, type Part } from '@/lib/home-presenter';
import { runsHref } from '@/lib/run-filters';
import { getSluice } from '@/lib/sluice.server';
import { AutoRefresh } from '@/components/auto-refresh';
import { RunsTable } from '@/components/runs-table';
import { TimeAgo } from '@/components/time-ago';
import { flowHref, runHref } from '@/lib/links';
import { REPLAY_DOCS_URL } from '@/lib/replay-presenter';
import type { ReactNode } from 'react';
import type { HomeView } from '@/lib/home-presenter';

export const metadata = { title: 'Home' };

function Section<T>({ part, children }: { part: Part<T>; children: (value: T) => ReactNode }) {
  return part.ok ? <>{children(part.value)}</> : <div className="form-error">{part.error}</div>;
}

/** Failing runs, late schedules, notifications that did not reach anyone, runs a new deploy cannot carry; nothing at all when all is well. */
function NeedsAttention({ home }: { home: HomeView }) {
  const failed = home.failures.ok ? home.failures.value.length : 0;
  const attention = home.attention.ok ? home.attention.value : { failedDeliveries: [], lateSchedules: [] };
  if (!home.attention.ok) return <div className="form-error">{home.attention.error}</div>;
  const replay = home.replay.ok ? home.replay.value : [];
  if (failed === 0 && attention.failedDeliveries.length === 0 && attention.lateSchedules.length === 0 && replay.length === 0 && home.replay.ok) return null;
  return (
    <section className="panel" aria-labelledby="needs-attention" data-testid="needs-attention">
      <div className="panel-head">
        <h2 id="needs-attention">Needs attention</h2>
      </div>
      <ul className="sentence-links">
        {failed > 0 && (
          <li>
            <Link href={runsHref({}, { status: 'failed', range: '7d' })}>
              {failed === HOME_LIMITS.failures ? `${failed} or more runs` : `${failed} run${failed === 1 ? '' : 's'}`} failed in the last {HOME_LIMITS.failureDays} days
            </Link>
          </li>
        )}
        {attention.lateSchedules.map((late) => (
          <li key={`${late.workflowId}/${late.recordedAt}`}>
            <Link href={flowHref(late.flow)}>
              <strong>{late.flow}</strong> · {late.deployment}
            </Link>{' '}
            did not start on time: {late.note}
          </li>
        ))}
        {replay.map((f) => (
          <li key={`${f.taskQueue}/${f.runId}`} data-testid="replay-finding">
            <Link href={runHref(f)}>
              <strong>{f.flow}</strong> · <span className="mono">{f.workflowId}</span>
            </Link>{' '}
            cannot continue on the new code of task queue <span className="mono">{f.taskQueue}</span>: fix it with <code>patched()</code> or keep the old version serving it (
            <a href={REPLAY_DOCS_URL} target="_blank" rel="noreferrer">
              how
            </a>
            )
          </li>
        ))}
        {!home.replay.ok && <li className="form-error">Runs the new code cannot carry: {home.replay.error}</li>}
        {attention.failedDeliveries.length > 0 && (
          <li>
            <Link href="/admin/notifications">
              {attention.failedDeliveries.length} notification{attention.failedDeliveries.length === 1 ? '' : 's'} could not be delivered
            </Link>{' '}
            ({attention.failedDeliveries[0]!.channel}: {attention.failedDeliveries[0]!.lastError})
          </li>
        )}
      </ul>
    </section>
  );
}

export default async function HomePage() {
  await requireUser('viewer');
  const home = await getHome(await getSluice());
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Home</h1>
          <p className="subtitle">What needs attention, what is running, what failed, what comes next.</p>
        </div>
        <div className="actions">
          <AutoRefresh active={home.anyRunning} seconds={5} />
          <Link className="button" href="/flows">
            Start a run…
          </Link>
        </div>
      </div>

      <NeedsAttention home={home} />

      <Section part={home.last24h}>
        {(counts) => (
          <div className="grid-3" style={{ marginBottom: '1rem' }}>
            <div className="panel">
              <div className="muted">Runs in the last 24 hours</div>
              <div className="kpi">{counts.total}</div>
            </div>
            <div className="panel">
              <div className="muted">Completed</div>
              <div className="kpi" style={{ color: 'var(--ok)' }}>
                {counts.byStatus.completed ?? 0}
              </div>
            </div>
            <div className="panel">
              <div className="muted">Failed or timed out</div>
              <div className="kpi" style={{ color: 'var(--bad)' }}>
                {(counts.byStatus.failed ?? 0) + (counts.byStatus.timed_out ?? 0)}
              </div>
            </div>
          </div>
        )}
      </Section>

      <section className="panel" aria-labelledby="running-now">
        <div className="panel-head">
          <h2 id="running-now">Running now</h2>
          <span className="spacer" />
          <Link href={runsHref({}, { waiting: 'input' })} data-testid="home-waiting-link">
            Waiting for input →
          </Link>
          <Link href={runsHref({}, { status: 'running' })}>All running runs →</Link>
        </div>
        <Section part={home.running}>
          {(runs) => <RunsTable runs={runs} empty="Nothing is running right now." />}
        </Section>
      </section>

      <div className="grid-2">
        <section className="panel" aria-labelledby="recent-failures">
          <div className="panel-head">
            <h2 id="recent-failures">Recent failures</h2>
            <span className="spacer" />
            <Link href={runsHref({}, { status: 'failed', range: '7d' })}>All failures →</Link>
          </div>
          <Section part={home.failures}>
            {(runs) => <RunsTable runs={runs} compact empty={`No run failed in the last ${HOME_LIMITS.failureDays} days.`} />}
          </Section>
        </section>

        <section className="panel" aria-labelledby="next-runs">
          <div className="panel-head">
            <h2 id="next-runs">Next scheduled runs</h2>
            <span className="spacer" />
            <Link href="/flows">Deployments →</Link>
          </div>
          <Section part={home.nextRuns}>
            {(next) =>
              next.length === 0 ? (
                <div className="empty">No scheduled run is coming: no deployment has a schedule, or all are paused.</div>
              ) : (
                <table className="data">
                  <colgroup>
                    <col />
                    <col style={{ width: '45%' }} />
                    <col style={{ width: 110 }} />
                  </colgroup>
                  <thead>
                    <tr>
                      <th>Deployment</th>
                      <th>Schedule</th>
                      <th>Next</th>
                    </tr>
                  </thead>
                  <tbody>
                    {next.map((n) => (
                      <tr key={`${n.flow}/${n.deployment}/${n.at}`}>
                        <td className="ellipsis">
                          <Link href={flowHref(n.flow)}>
                            <strong>{n.flow}</strong> · {n.deployment}
                          </Link>
                        </td>
                        <td className="ellipsis" title={n.schedule}>
                          {n.schedule}
                        </td>
                        <td className="nowrap">
                          <TimeAgo iso={n.at} zone={n.timezone} seconds="unless-zero" />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )
            }
          </Section>
        </section>
      </div>
    </>
  );
}
