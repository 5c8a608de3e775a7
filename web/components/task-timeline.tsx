/**
 * A run's tasks on a timeline: one row per task (name, attempts), a bar from when it was scheduled to when it
 * closed (retries included) — for a task still open, its live progress or how long it has run —, its duration,
 * and under it the failure of its last failed attempt.
 */
import type { TimelineRow } from '@/lib/run-presenter';
import { formatDuration, formatTime } from '@/lib/format';
import { StatusBadge } from './status-badge';
import { FailureView } from './failure-view';
import { LiveDuration } from './live-duration';
import { TaskProgressCell } from './live-progress';

export function TaskTimeline({ rows }: { rows: TimelineRow[] }) {
  return (
    <div className="timeline" role="table" aria-label="Tasks" data-testid="task-timeline">
      <div className="row head" role="row">
        <div role="columnheader">Task</div>
        <div role="columnheader">Timeline</div>
        <div role="columnheader">Status</div>
        <div role="columnheader" className="num" style={{ textAlign: 'right' }}>
          Duration
        </div>
      </div>
      {rows.map(({ task, tone, offsetPct, widthPct, retries }) => (
        <div className="row" role="row" key={task.activityId} data-task={task.task} data-status={task.status} data-worker={task.worker ?? undefined}>
          <div role="cell" className="ellipsis" title={`${task.task} (activity ${task.activityId})`}>
            <strong>{task.task}</strong>
            <div className="faint num" style={{ fontSize: 12 }}>
              attempt {task.attempts || 0}
              {task.maximumAttempts ? ` of ${task.maximumAttempts}` : ''}
              {retries > 0 ? ` · ${retries} ${retries === 1 ? 'retry' : 'retries'}` : ''}
              {task.worker ? ` · on ${task.worker}` : ''}
            </div>
          </div>
          <div role="cell" className="track">
            {task.closeTime ? (
              <div
                className={`bar tone-${tone}`}
                style={{ left: `${offsetPct}%`, width: `${widthPct}%` }}
                title={`scheduled ${formatTime(task.scheduledTime)}, closed ${formatTime(task.closeTime)}`}
              />
            ) : (
              // An open task has no end to draw: how far it is (its progress) or how long it has been going.
              <TaskProgressCell task={task} />
            )}
          </div>
          <div role="cell">
            <StatusBadge status={task.status} />
          </div>
          <div role="cell" className="num" style={{ textAlign: 'right' }}>
            {task.closeTime ? formatDuration(task.durationMs) : <LiveDuration startIso={task.scheduledTime} />}
          </div>
          {task.lastFailure && (
            <div role="cell" className="task-failure">
              <div className="muted" style={{ fontSize: 12, marginBottom: 2 }}>
                {task.status === 'completed' ? 'Failed before a retry succeeded:' : task.status === 'failed' || task.status === 'timed_out' ? 'Last attempt failed:' : 'Previous attempt failed:'}
              </div>
              <FailureView failure={task.lastFailure} recovered={task.status === 'completed'} />
            </div>
          )}
        </div>
      ))}
    </div>
  );
}
