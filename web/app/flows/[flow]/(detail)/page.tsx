/**
 * One flow: description, the latest result of each key its runs published, parameters (from its schema),
 * deployments with their controls, recent runs.
 */
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requireUser } from '@/lib/auth/guard';
import { hasRole } from '@/lib/auth/roles';
import { getFlowView } from '@/lib/flows-presenter';
import { formatStartedBy } from '@/lib/format';
import { getTriggerViews } from '@/lib/triggers-presenter';
import { flowsHref, pageParam, runFormHref, runHref } from '@/lib/links';
import { runsHref } from '@/lib/run-filters';
import { getSluice, getStore } from '@/lib/sluice.server';
import { ArtifactView } from '@/components/artifact-view';
import { AutoRefresh } from '@/components/auto-refresh';
import { DeploymentCard } from '@/components/deployment-card';
import { TimeAgo } from '@/components/time-ago';
import { RunsTable } from '@/components/runs-table';
import { StatusBadge } from '@/components/status-badge';

export async function generateMetadata({ params }: { params: Promise<{ flow: string }> }) {
  return { title: `Flow ${pageParam((await params).flow)}` };
}

export default async function FlowPage({ params }: { params: Promise<{ flow: string }> }) {
  const user = await requireUser('viewer');
  const canOperate = hasRole(user.role, 'operator');
  const name = pageParam((await params).flow);
  const sluice = await getSluice();
  const view = await getFlowView(sluice, name);
  if (!view) notFound();
  const { flow, deployments, parameters, recentRuns } = view;
  const [latest, backfills] = await Promise.all([
    (await getStore()).latestArtifacts(flow.name, 20),
    // A deployment's backfills; the page shows the deployments even when Temporal cannot list them.
    Promise.all(deployments.map((d) => sluice.listBackfills(flow.name, d.name, 5).catch(() => []))),
  ]);
  const backfillRunning = backfills.flat().some((b) => b.state === 'running');
  const triggers = await getTriggerViews(await getSluice(), flow);
  return (
    <>
      <div className="breadcrumb">
        <Link href="/flows">Flows</Link> / {flow.name}
      </div>
      <div className="page-head">
        <div>
          <h1>
            {flow.name} {flow.goneAt && <span className="badge tone-muted">gone</span>}
          </h1>
          <p className="subtitle">
            {flow.description ?? 'No description.'} Task queue{' '}
            <Link className="mono" href={flowsHref(flow.taskQueue)} data-queue={flow.taskQueue}>
              {flow.taskQueue}
            </Link>
            .
          </p>
        </div>
        <div className="actions">
          <Link className="button" href={runsHref({}, { flow: flow.name })}>
            All runs
          </Link>
          {canOperate && !flow.goneAt && (
            <Link className="button primary" href={runFormHref(flow.name)}>
              Run…
            </Link>
          )}
        </div>
      </div>

      {flow.goneAt && (
        <div className="notice">
          No longer served: task queue <span className="mono">{flow.taskQueue}</span> stopped declaring this flow on <TimeAgo iso={flow.goneAt} absolute />. It
          cannot be started; its past runs stay below.
        </div>
      )}

      <section className="panel" aria-labelledby="latest-results" data-testid="flow-artifacts">
        <div className="panel-head">
          <h2 id="latest-results">Latest results</h2>
          <span className="muted">the newest of each table, chart and note its runs published</span>
        </div>
        {latest.length === 0 ? (
          <p className="muted">No run of this flow has published a result yet.</p>
        ) : (
          latest.map((a) => (
            <ArtifactView
              key={a.id}
              artifact={a}
              footer={
                <p className="faint">
                  Published <TimeAgo iso={new Date(a.time).toISOString()} absolute /> by run{' '}
                  <Link className="mono" href={runHref(a)}>
                    {a.workflowId}
                  </Link>
                </p>
              }
            />
          ))
        )}
      </section>

      <section className="panel" aria-labelledby="params">
        <h2 id="params">Parameters</h2>
        {parameters.length === 0 ? (
          <p className="muted">This flow takes no parameters.</p>
        ) : (
          <table className="data schema-table">
            <colgroup>
              <col style={{ width: '20%' }} />
              <col style={{ width: '14%' }} />
              <col style={{ width: '10%' }} />
              <col style={{ width: '16%' }} />
              <col />
            </colgroup>
            <thead>
              <tr>
                <th>Name</th>
                <th>Type</th>
                <th>Required</th>
                <th>Default</th>
                <th>Description</th>
              </tr>
            </thead>
            <tbody>
              {parameters.map((p) => (
                <tr key={p.name}>
                  <td>{p.name}</td>
                  <td>
                    {p.kind === 'select' || p.kind === 'multiselect' ? `${p.kind === 'multiselect' ? 'list of ' : ''}one of ${p.options.map((o) => o.value).join(', ')}` : p.kind === 'list' ? `list of ${p.itemKind}` : p.kind}
                    {p.nullable ? ' or null' : ''}
                  </td>
                  <td>{p.required ? 'yes' : 'no'}</td>
                  <td className="mono ellipsis">{p.defaultValue === undefined ? '' : JSON.stringify(p.defaultValue)}</td>
                  <td>{p.description}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="panel" aria-labelledby="deployments">
        <h2 id="deployments">Deployments</h2>
        <AutoRefresh active={backfillRunning} />
        {view.deploymentsError && <div className="form-error">Deployments could not be read from Temporal: {view.deploymentsError}</div>}
        {deployments.length === 0 ? (
          <p className="muted">No deployment: this flow runs when someone starts it.</p>
        ) : (
          <div className="deployments">
            {deployments.map((d, i) => (
              <DeploymentCard key={d.name} flow={flow.name} deployment={d} canOperate={canOperate} backfills={backfills[i]} />
            ))}
          </div>
        )}
      </section>

      {triggers.length > 0 && (
        <section className="panel" aria-labelledby="triggers" data-testid="flow-triggers">
          <div className="panel-head">
            <h2 id="triggers">Triggers</h2>
            <span className="muted">what starts a deployment besides its schedule, and the runs it started last</span>
          </div>
          {triggers.map((t, i) => (
            <div key={i} className="trigger" data-testid="trigger">
              <p>
                <strong>{t.deployment}</strong> starts {t.when}
                {t.secretVariable && (
                  <>
                    {' '}
                    (secret in <span className="mono">{t.secretVariable}</span>)
                  </>
                )}
                .
              </p>
              {t.firings.length === 0 ? (
                <p className="faint">Not fired yet.</p>
              ) : (
                <ul className="firings">
                  {t.firings.map((r) => (
                    <li key={r.runId} data-testid="firing">
                      <StatusBadge status={r.status} />{' '}
                      <Link className="mono" href={runHref(r)}>
                        {r.workflowId}
                      </Link>{' '}
                      <TimeAgo iso={r.startTime} /> <span className="faint">{formatStartedBy(r.startedBy)}</span>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          ))}
        </section>
      )}

      <section className="panel" aria-labelledby="recent" style={{ padding: 0 }}>
        <div className="panel-head" style={{ padding: '1rem 1rem 0' }}>
          <h2 id="recent">Recent runs</h2>
          <span className="spacer" />
          <Link href={runsHref({}, { flow: flow.name })}>All runs →</Link>
        </div>
        <RunsTable runs={recentRuns} empty="This flow has not run yet." />
      </section>
    </>
  );
}
