/**
 * One run: status, parameters, result or failure, duration, who started it; its tasks on a timeline; what it
 * published (tables, charts, notes) and its logs, live; cancel, re-run, re-run with changes; and a link to exactly this execution in Temporal Web.
 */
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requireUser } from '@/lib/auth/guard';
import { hasRole } from '@/lib/auth/roles';
import { formatDuration, formatStartedBy, upstreamOf } from '@/lib/format';
import { flowHref, pageParam, runFormHref, runHref } from '@/lib/links';
import { runsHref } from '@/lib/run-filters';
import { getRunView, TASKS_PER_PAGE } from '@/lib/run-presenter';
import { isActive } from '@/lib/run-status';
import { getSluice } from '@/lib/sluice.server';
import { REPLAY_DOCS_URL, replayFindingOf, replaySentence } from '@/lib/replay-presenter';
import { AutoRefresh } from '@/components/auto-refresh';
import { FailureView } from '@/components/failure-view';
import { JsonBlock } from '@/components/json-block';
import { LiveDuration } from '@/components/live-duration';
import { LiveProgress } from '@/components/live-progress';
import { LogViewer } from '@/components/log-viewer';
import { QuestionPanel } from '@/components/question-panel';
import { RunActions } from '@/components/run-actions';
import { RunArtifacts } from '@/components/run-artifacts';
import { StatusBadge, WaitingBadge } from '@/components/status-badge';
import { SlotWaitBadge, SlotWaitPanel } from '@/components/slot-wait';
import { TaskTimeline } from '@/components/task-timeline';
import { TimeAgo } from '@/components/time-ago';

type Params = { workflowId: string; runId: string };
type Search = Record<string, string | string[] | undefined>;

export async function generateMetadata({ params }: { params: Promise<Params> }) {
  return { title: `Run ${pageParam((await params).workflowId)}` };
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function RunPage({ params, searchParams }: { params: Promise<Params>; searchParams: Promise<Search> }) {
  const user = await requireUser('viewer');
  const { workflowId: rawWorkflowId, runId: rawRunId } = await params;
  const workflowId = pageParam(rawWorkflowId);
  const runId = pageParam(rawRunId);
  const search = await searchParams;
  const sluice = await getSluice();
  const view = await getRunView(sluice, workflowId, runId, { tasks: one(search.tasks), taskPage: one(search.taskPage) });
  if (!view) notFound();
  const { run, flow, taskSummary } = view;
  const running = isActive(run.status);
  const replayFinding = running ? await replayFindingOf(sluice, run) : undefined;
  const upstream = upstreamOf(run.startedBy);
  const canOperate = hasRole(user.role, 'operator');
  const taskNames = [...new Set(run.tasks.map((t) => t.task))].sort();
  const tasksHref = (changes: { tasks?: string; taskPage?: number }) => {
    const q = new URLSearchParams();
    const tasks = changes.tasks ?? view.taskFilter;
    if (tasks !== 'all') q.set('tasks', tasks);
    const page = changes.taskPage ?? 1;
    if (page > 1) q.set('taskPage', String(page));
    const qs = q.toString();
    return `${runHref(run)}${qs ? `?${qs}` : ''}#tasks`;
  };

  return (
    <>
      <div className="breadcrumb">
        <Link href="/runs">Runs</Link> / <Link href={runsHref({}, { flow: run.flow })}>{run.flow}</Link>
      </div>
      <div className="page-head">
        <div style={{ minWidth: 0 }}>
          <h1 style={{ display: 'flex', gap: '0.6rem', alignItems: 'center' }}>
            <Link href={flowHref(run.flow)} style={{ color: 'inherit' }}>
              {run.flow}
            </Link>
            <StatusBadge status={run.waitingFor ? 'waiting' : run.status} />
            {run.waitingFor && <SlotWaitBadge waits={run.waitingFor} />}
            {run.waitingForInput && <WaitingBadge />}
          </h1>
          <p className="subtitle mono ellipsis" title={`${run.workflowId} / ${run.runId}`}>
            {run.workflowId} · {run.runId}
          </p>
        </div>
        <div className="actions">
          <AutoRefresh active={running} seconds={2} />
          <a className="button" href={run.temporalWebUrl} target="_blank" rel="noreferrer" data-testid="temporal-web-link">
            Open in Temporal Web ↗
          </a>
          {canOperate && (
            <RunActions
              workflowId={run.workflowId}
              runId={run.runId}
              running={running}
              rerunWithChangesHref={flow && !flow.goneAt ? runFormHref(run.flow, { from: run }) : null}
            />
          )}
        </div>
      </div>

      <SlotWaitPanel waits={run.waitingFor ?? []} limits={run.limits} />
      {replayFinding && (
        <section className="panel" aria-labelledby="replay-title" data-testid="replay-finding">
          <h2 id="replay-title">Cannot continue on the new code</h2>
          <p role="alert" className="sentence-links">
            {replaySentence(replayFinding)} It will stop, waiting for a fix, at its next step. Fix the flow with <code>patched()</code> (the old path for
            runs that took it, the new one for new runs), or keep the old version of the worker serving it until it ends: see docs/replay.md or{' '}
            <a href={REPLAY_DOCS_URL} target="_blank" rel="noreferrer">
              Temporal&apos;s guide to versioning
            </a>
            .
          </p>
          <p className="muted">
            Found by worker <span className="mono">{replayFinding.worker}</span> <TimeAgo iso={new Date(replayFinding.foundAt).toISOString()} />:
          </p>
          <pre className="mono" style={{ whiteSpace: 'pre-wrap' }}>{replayFinding.reason}</pre>
        </section>
      )}

      <QuestionPanel questions={run.questions} running={running} canAnswer={canOperate} workflowId={run.workflowId} runId={run.runId} />

      <div className="grid-2">
        <section className="panel" aria-labelledby="facts">
          <h2 id="facts">Run</h2>
          <dl className="facts">
            <dt>Status</dt>
            <dd>
              <StatusBadge status={run.status} />
            </dd>
            <dt>Started by</dt>
            <dd title={run.startedBy ?? ''} data-testid="started-by">
              {formatStartedBy(run.startedBy)}
              {upstream && (
                <>
                  {' '}
                  (run{' '}
                  <Link className="mono" href={`/runs/${encodeURIComponent(upstream)}`}>
                    {upstream}
                  </Link>
                  )
                </>
              )}
            </dd>
            <dt>Deployment</dt>
            <dd>{run.deployment ?? <span className="faint">none (started directly)</span>}</dd>
            <dt>Started</dt>
            <dd>
              <TimeAgo iso={run.startTime} absolute />
            </dd>
            <dt>Ended</dt>
            <dd>{run.closeTime ? <TimeAgo iso={run.closeTime} absolute /> : <span className="faint">still running</span>}</dd>
            <dt>Duration</dt>
            <dd className="num">{run.closeTime ? formatDuration(run.durationMs) : <LiveDuration startIso={run.startTime} />}</dd>
            <dt>Tasks</dt>
            <dd className="num">
              {taskSummary.total} · {taskSummary.failed} failed · {taskSummary.retried} retried
            </dd>
            <dt>Task queue</dt>
            <dd className="mono">{run.taskQueue}</dd>
            <dt>History</dt>
            <dd className="num">{run.historyLength} events</dd>
          </dl>
        </section>

        <section className="panel" aria-labelledby="outcome">
          <h2 id="outcome">{run.failure ? 'Error' : run.stuckOn ? (run.stuckOn.kind === 'nondeterminism' ? 'Waiting for a fix' : 'Stuck') : 'Result'}</h2>
          {run.failure ? (
            <FailureView failure={run.failure} />
          ) : run.stuckOn ? (
            <div data-testid="run-stuck">
              <p role="alert">{run.stuckOn.explanation}</p>
              {run.stuckOn.attempts !== null && <p className="muted">{run.stuckOn.attempts} attempts so far.</p>}
              {run.stuckOn.failure && <FailureView failure={run.stuckOn.failure} />}
            </div>
          ) : running ? (
            <p className="muted">The result appears here when the run completes.</p>
          ) : (
            <div data-testid="run-result">
              <JsonBlock value={run.result} label="Result" />
            </div>
          )}
          <h3 style={{ marginTop: '1rem' }}>Parameters</h3>
          <div data-testid="run-parameters">
            <JsonBlock value={run.parameters} label="Parameters" />
          </div>
        </section>
      </div>

      <section className="panel" id="tasks" aria-labelledby="tasks-title">
        <div className="panel-head">
          <h2 id="tasks-title">Tasks</h2>
          <span className="muted num">
            {taskSummary.total} total
            {taskSummary.running ? ` · ${taskSummary.running} running` : ''}
          </span>
          <span className="spacer" />
          <Link className="button small" href={tasksHref({ tasks: 'all' })} aria-current={view.taskFilter === 'all' ? 'page' : undefined}>
            All
          </Link>
          <Link className="button small" href={tasksHref({ tasks: 'problems' })} aria-current={view.taskFilter === 'problems' ? 'page' : undefined}>
            Failed or retried only
          </Link>
        </div>
        {view.rows.length === 0 ? (
          <div className="empty">{view.taskFilter === 'problems' ? 'No task failed or retried.' : running ? 'No task has started yet.' : 'This run ran no tasks.'}</div>
        ) : (
          <LiveProgress workflowId={run.workflowId} runId={run.runId} activityIds={view.rows.filter((r) => !r.task.closeTime && !r.task.local).map((r) => r.task.activityId)}>
            <TaskTimeline rows={view.rows} />
          </LiveProgress>
        )}
        {view.taskPages > 1 && (
          <div className="pager">
            <span className="num">
              Tasks {(view.taskPage - 1) * TASKS_PER_PAGE + 1}–{(view.taskPage - 1) * TASKS_PER_PAGE + view.rows.length} · page {view.taskPage} of {view.taskPages}
            </span>
            {view.taskPage > 1 && (
              <Link className="button small" href={tasksHref({ taskPage: view.taskPage - 1 })}>
                ← Previous
              </Link>
            )}
            {view.taskPage < view.taskPages && (
              <Link className="button small" href={tasksHref({ taskPage: view.taskPage + 1 })}>
                Next →
              </Link>
            )}
          </div>
        )}
      </section>

      <section className="panel" id="artifacts" aria-labelledby="artifacts-title">
        <div className="panel-head">
          <h2 id="artifacts-title">Results</h2>
          <span className="muted">tables, charts and notes the run published</span>
        </div>
        <RunArtifacts workflowId={run.workflowId} runId={run.runId} running={running} />
      </section>

      <section className="panel" aria-labelledby="logs-title">
        <div className="panel-head">
          <h2 id="logs-title">Logs</h2>
        </div>
        <LogViewer workflowId={run.workflowId} runId={run.runId} running={running} tasks={taskNames} />
      </section>
    </>
  );
}
