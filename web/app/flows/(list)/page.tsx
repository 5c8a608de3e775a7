/** The flows: each with its description, parameters and deployments (schedule in words, next runs, pause). */
import Link from 'next/link';
import { requireUser } from '@/lib/auth/guard';
import { hasRole } from '@/lib/auth/roles';
import { getFlowsOverview } from '@/lib/flows-presenter';
import { flowHref, runFormHref } from '@/lib/links';
import { runsHref } from '@/lib/run-filters';
import { getSluice } from '@/lib/sluice.server';
import { DeploymentCard } from '@/components/deployment-card';

export const metadata = { title: 'Flows' };

export default async function FlowsPage() {
  const user = await requireUser('viewer');
  const canOperate = hasRole(user.role, 'operator');
  const { flows, deploymentsError } = await getFlowsOverview(await getSluice());
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Flows</h1>
          <p className="subtitle">The jobs the workers serve, and their deployments (schedules).</p>
        </div>
      </div>
      {deploymentsError && <div className="form-error">Deployments could not be read: {deploymentsError}</div>}
      {flows.length === 0 && (
        <div className="panel empty">
          No flow yet. Flows appear here when a worker that serves them starts (<code>npm run worker</code>).
        </div>
      )}
      {flows.map(({ flow, deployments, parameters }) => (
        <section className="panel flow-card" key={flow.name} data-flow={flow.name}>
          <div className="panel-head">
            <div>
              <h2>
                <Link href={flowHref(flow.name)}>{flow.name}</Link>
              </h2>
              {flow.description && <div className="muted">{flow.description}</div>}
            </div>
            <span className="spacer" />
            <Link href={runsHref({}, { flow: flow.name })}>Runs →</Link>
            {canOperate && (
              <Link className="button primary" href={runFormHref(flow.name)}>
                Run…
              </Link>
            )}
          </div>
          <div className="muted" style={{ fontSize: 13, marginBottom: '0.6rem' }}>
            {parameters.length === 0 ? 'No parameters' : `Parameters: ${parameters.map((p) => `${p.name}${p.required ? '' : '?'}`).join(', ')}`} · task queue{' '}
            <span className="mono">{flow.taskQueue}</span>
          </div>
          {deployments.length > 0 ? (
            <div className="deployments">
              {deployments.map((d) => (
                <DeploymentCard key={d.name} flow={flow.name} deployment={d} canOperate={canOperate} />
              ))}
            </div>
          ) : (
            <div className="faint">No deployment: this flow runs when someone starts it.</div>
          )}
        </section>
      ))}
    </>
  );
}
