import Link from 'next/link';
import type { RunSummary } from 'sluice/client';
import { formatDuration, formatStartedBy } from '@/lib/format';
import { runHref } from '@/lib/links';
import { StatusBadge, WaitingBadge } from './status-badge';
import { SlotWaitBadge } from './slot-wait';
import { TimeAgo } from './time-ago';
import { LiveDuration } from './live-duration';

/**
 * Runs as a table: status, flow and deployment, who started it, when, how long. Fixed columns: no jumps.
 * With `selectForm`, each row has a box that selects the run for that form (the runs list's bulk actions).
 */
export function RunsTable({ runs, empty, compact = false, selectForm }: { runs: RunSummary[]; empty: string; compact?: boolean; selectForm?: string }) {
  if (runs.length === 0) return <div className="empty">{empty}</div>;
  return (
    <table className="data" data-testid="runs-table">
      <colgroup>
        {selectForm && <col style={{ width: 36 }} />}
        <col style={{ width: 165 }} />
        <col />
        {!compact && <col style={{ width: '18%' }} />}
        {!compact && <col style={{ width: '20%' }} />}
        <col style={{ width: 120 }} />
        <col style={{ width: 110 }} />
      </colgroup>
      <thead>
        <tr>
          {selectForm && (
            <th>
              <span className="visually-hidden">Select</span>
            </th>
          )}
          <th>Status</th>
          <th>Run</th>
          {!compact && <th>Deployment</th>}
          {!compact && <th>Started by</th>}
          <th>Started</th>
          <th className="num">Duration</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={`${r.workflowId}/${r.runId}`} data-run={r.workflowId}>
            {selectForm && (
              <td>
                <input type="checkbox" form={selectForm} name="run" value={JSON.stringify({ workflowId: r.workflowId, runId: r.runId })} aria-label={`Select run ${r.workflowId}`} />
              </td>
            )}
            <td>
              <StatusBadge status={r.waitingFor ? 'waiting' : r.status} />
              {r.waitingFor && (
                <>
                  {' '}
                  <SlotWaitBadge waits={r.waitingFor} />
                </>
              )}
              {r.waitingForInput && (
                <>
                  {' '}
                  <WaitingBadge />
                </>
              )}
              {r.stuck && (
                <>
                  {' '}
                  <span className="badge tone-bad" data-testid="run-stuck-mark" title="Its flow code fails on every attempt: open the run to see why">
                    stuck
                  </span>
                </>
              )}
            </td>
            <td className="ellipsis">
              <Link href={runHref(r)} title={r.workflowId}>
                <strong>{r.flow}</strong> <span className="faint mono">{r.workflowId}</span>
              </Link>
            </td>
            {!compact && <td className="ellipsis">{r.deployment ?? <span className="faint">—</span>}</td>}
            {!compact && (
              <td className="ellipsis" title={r.startedBy ?? ''}>
                {formatStartedBy(r.startedBy)}
              </td>
            )}
            <td className="nowrap">
              <TimeAgo iso={r.startTime} />
            </td>
            <td className="num nowrap">{r.closeTime ? formatDuration(r.durationMs) : <LiveDuration startIso={r.startTime} />}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
