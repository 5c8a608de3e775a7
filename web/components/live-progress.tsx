'use client';

/**
 * Tasks' progress, live: `LiveProgress` polls what the listed running tasks of a run last reported (four times a
 * second while the tab is visible; their workers write it to the store with their log lines within ~200 ms), and
 * `TaskProgressCell` shows a task's as a progress bar with its message — or, for a task that reports none, how
 * long it has been running. The server's render gives the first value; the later of that and the polled one shows.
 */
import { createContext, useContext, useEffect, useState } from 'react';
import type { TaskProgress, TaskRun } from 'sluice/client';
import { laterProgress, progressView } from '@/lib/task-progress';
import { LiveDuration } from './live-duration';

/**
 * The page promises "at most a second behind": the worker writes every 200 ms, and a poll's answer takes up to a
 * few hundred ms on a busy machine (bench: `npm run bench:web -- progress-latency`). One small indexed read each.
 */
const POLL_MS = 250;

const Polled = createContext<Record<string, TaskProgress>>({});

export function LiveProgress({ workflowId, runId, activityIds, children }: { workflowId: string; runId: string; activityIds: string[]; children: React.ReactNode }) {
  const [polled, setPolled] = useState<Record<string, TaskProgress>>({});
  const ids = activityIds.join(',');
  useEffect(() => {
    if (!ids) return;
    const url = `/api/ui/runs/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/progress?activityIds=${encodeURIComponent(ids)}`;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      if (document.visibilityState === 'visible') {
        try {
          const res = await fetch(url, { cache: 'no-store', headers: { accept: 'application/json' } });
          const body = res.ok ? ((await res.json()) as { progress?: Record<string, TaskProgress> }) : null;
          if (!stopped && body?.progress) setPolled(body.progress);
        } catch {
          // A missed poll is made up by the next one (or the page's own refresh); nothing to tell the reader.
        }
      }
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    };
    // At once: the server's render may be a moment old by the time the page is live.
    timer = setTimeout(poll, 0);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [workflowId, runId, ids]);
  return <Polled.Provider value={polled}>{children}</Polled.Provider>;
}

export function TaskProgressCell({ task }: { task: Pick<TaskRun, 'activityId' | 'task' | 'status' | 'progress' | 'startedTime' | 'scheduledTime'> }) {
  const progress = laterProgress(task.progress, useContext(Polled)[task.activityId]);
  if (progress) {
    const view = progressView(progress);
    return (
      <div className="task-progress">
        <progress value={view.value} max={view.max} aria-label={`Progress of ${task.task}`} aria-valuetext={view.text} />
        <span className="ellipsis" title={view.text}>
          {view.text}
        </span>
      </div>
    );
  }
  if (task.status === 'running') {
    return (
      <div className="task-progress muted">
        <span>
          running for <LiveDuration startIso={task.startedTime ?? task.scheduledTime} />
        </span>
      </div>
    );
  }
  return (
    <div className="task-progress muted">
      <span>
        {task.status === 'retrying' ? 'waiting to retry' : 'waiting for a worker'} · <LiveDuration startIso={task.scheduledTime} />
      </span>
    </div>
  );
}
