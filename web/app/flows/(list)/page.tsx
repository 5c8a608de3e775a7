/**
 * The flows: each with its task queue, description, parameters and deployments (schedule in words, next runs,
 * pause); ?queue= shows one task queue's flows. Flows a queue stopped declaring are listed apart, without Run.
 * Below them, the tasks Python workers published (a flow calls them with `pythonTasks()`), by task queue.
 */
import Link from 'next/link';
import { requireUser } from '@/lib/auth/guard';
import { hasRole } from '@/lib/auth/roles';
import { getFlowsOverview } from '@/lib/flows-presenter';
import { flowHref, flowsHref, runFormHref } from '@/lib/links';
import { runsHref } from '@/lib/run-filters';
import { getSluice } from '@/lib/sluice.server';
import { DeploymentCard } from '@/components/deployment-card';
import { TimeAgo } from '@/components/time-ago';

export const metadata = { title: 'Flows' };

export default async function FlowsPage({ searchParams }: { searchParams: Promise<{ queue?: string | string[] }> }) {
  const user = await requireUser('viewer');
  const canOperate = hasRole(user.role, 'operator');
  const { flows, gone, taskQueues, queues, queue, deploymentsError } = await getFlowsOverview(await getSluice(), await searchParams);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Flows</h1>
          <p className="subtitle">The jobs the workers serve, and their deployments (schedules).</p>
        </div>
      </div>
      {queues.length > 1 && (
        <form className="panel filters" method="get" action="/flows" aria-label="Filter flows">
          <label>
            Task queue
            <select name="queue" defaultValue={queue ?? ''} className="wide">
              <option value="">All task queues</option>
              {queues.map((q) => (
                <option key={q} value={q}>
                  {q}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Show</button>
          {queue && <Link href={flowsHref()}>All flows</Link>}
        </form>
      )}
      {deploymentsError && <div className="form-error">Deployments could not be read: {deploymentsError}</div>}
      {flows.length === 0 && taskQueues.length === 0 && (
        <div className="panel empty">
          {queue
            ? `No flow is served on task queue ${queue} now.`
            : <>No flow yet. Flows appear here when a worker that serves them starts (<code>npm run worker</code>).</>}
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
            <Link className="mono" href={flowsHref(flow.taskQueue)} data-queue={flow.taskQueue}>
              {flow.taskQueue}
            </Link>
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
      {taskQueues.length > 0 && (
        <section className="panel" aria-labelledby="python-tasks" data-testid="python-tasks">
          <h2 id="python-tasks">Python tasks</h2>
          <p className="muted">
            Served by Python workers, with the options they declared; a flow calls them with <code>pythonTasks(&apos;task queue&apos;)</code>.
          </p>
          {taskQueues.map(({ taskQueue, tasks }) => (
            <div key={taskQueue} data-task-queue={taskQueue}>
              <h3>
                task queue <Link className="mono" href={flowsHref(taskQueue)}>{taskQueue}</Link>
              </h3>
              <table className="data">
                <thead>
                  <tr>
                    <th>Task</th>
                    <th>Declared options</th>
                    <th>Published by</th>
                  </tr>
                </thead>
                <tbody>
                  {tasks.map(({ task, options }) => (
                    <tr key={task.name} data-task={task.name}>
                      <td className="mono">{task.name}</td>
                      <td data-testid="task-options">{options.join('; ')}</td>
                      <td className="muted">
                        <span className="mono">{task.worker}</span> at <TimeAgo iso={task.publishedAt} absolute />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
        </section>
      )}
      {gone.length > 0 && (
        <section className="panel" aria-labelledby="gone">
          <h2 id="gone">No longer served</h2>
          <p className="muted">Their task queue stopped declaring them: they cannot be started, their past runs stay readable.</p>
          <table className="data">
            <tbody>
              {gone.map((flow) => (
                <tr key={flow.name} data-flow={flow.name} data-gone="true">
                  <td>
                    <Link href={flowHref(flow.name)}>{flow.name}</Link> <span className="badge tone-muted">gone</span>
                  </td>
                  <td>
                    task queue <Link className="mono" href={flowsHref(flow.taskQueue)}>{flow.taskQueue}</Link>
                  </td>
                  <td className="muted">since <TimeAgo iso={flow.goneAt} absolute /></td>
                  <td>
                    <Link href={runsHref({}, { flow: flow.name })}>Runs →</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </>
  );
}
