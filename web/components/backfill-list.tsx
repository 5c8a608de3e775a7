/** A deployment's newest backfills: n of m done, failed, its runs in the runs list, and (operators) cancel. */
import Link from 'next/link';
import type { BackfillInfo } from 'sluice/client';
import { runsHref } from '@/lib/run-filters';
import { CancelBackfill } from './backfill-form';
import { TimeAgo } from './time-ago';

const FAILED = ['failed', 'timed_out', 'terminated'];

export function BackfillList({ flow, backfills, canOperate }: { flow: string; backfills: BackfillInfo[]; canOperate: boolean }) {
  if (backfills.length === 0) return null;
  return (
    <ul className="backfills" aria-label="Backfills">
      {backfills.map((b) => {
        const failed = FAILED.reduce((n, s) => n + (b.runs[s] ?? 0), 0);
        return (
          <li key={b.id} data-backfill={b.id}>
            <span className={`badge tone-${b.state === 'running' ? 'active' : b.state === 'completed' ? 'ok' : 'warn'}`}>{b.state}</span>{' '}
            <span data-testid="backfill-progress">
              {b.done} of {b.total} done
              {failed > 0 && <>, {failed} failed</>}
              {(b.runs.cancelled ?? 0) > 0 && <>, {b.runs.cancelled} cancelled</>}
              {(b.runs.running ?? 0) > 0 && <>, {b.runs.running} running</>}
            </span>{' '}
            <span className="faint">
              {b.from.slice(0, 10)} … {b.to.slice(0, 10)}, by {b.startedBy ?? 'unknown'}, <TimeAgo iso={b.startTime} />
            </span>{' '}
            <Link href={runsHref({ startedBy: b.runsStartedBy })}>its runs</Link>{' '}
            {canOperate && b.state === 'running' && <CancelBackfill flow={flow} id={b.id} />}
          </li>
        );
      })}
    </ul>
  );
}
