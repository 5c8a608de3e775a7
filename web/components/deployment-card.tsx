/** One deployment: its schedule in words, next run times, pause state and note, and (for operators) its controls. */
import Link from 'next/link';
import type { DeploymentView } from '@/lib/flows-presenter';
import { runFormHref, runHref } from '@/lib/links';
import type { BackfillInfo } from 'sluice/client';
import { BackfillForm } from './backfill-form';
import { BackfillList } from './backfill-list';
import { DeploymentControls } from './deployment-controls';
import { TimeAgo } from './time-ago';

export function DeploymentCard({ flow, deployment, canOperate, backfills = [] }: { flow: string; deployment: DeploymentView; canOperate: boolean; backfills?: BackfillInfo[] }) {
  const live = deployment.live;
  const scheduled = !!live && (live.cron.length > 0 || live.interval !== null);
  return (
    <div className="deployment" data-deployment={deployment.name}>
      <div className="deployment-head">
        <strong>{deployment.name}</strong>
        {live ? (
          live.paused ? (
            <span className="badge tone-warn" data-testid="deployment-state">
              Paused
            </span>
          ) : (
            <span className="badge tone-ok" data-testid="deployment-state">
              Active
            </span>
          )
        ) : (
          <span className="badge tone-muted" title="The worker creates it in Temporal when it starts" data-testid="deployment-state">
            Not in Temporal yet
          </span>
        )}
        {canOperate && live && (
          <DeploymentControls flow={flow} deployment={deployment.name} paused={live.paused} scheduled={live.cron.length > 0 || live.interval !== null} />
        )}
      </div>
      {deployment.description && <p className="muted" style={{ margin: '0.3rem 0' }}>{deployment.description}</p>}
      <div style={{ marginTop: '0.35rem' }}>
        <span className="schedule-words" data-testid="schedule-words">
          {deployment.schedule}
        </span>
        {live && live.cron.length > 0 && <span className="faint mono"> ({live.cron.join(' · ')})</span>}
      </div>
      {live?.paused && live.note && (
        <div className="notice" style={{ margin: '0.5rem 0 0' }} data-testid="pause-note">
          Note: {live.note}
        </div>
      )}
      {live && !live.paused && live.nextRunTimes.length > 0 && (
        <ul className="next-runs">
          {live.nextRunTimes.slice(0, 3).map((t) => (
            <li key={t}>
              next: <TimeAgo iso={t} absolute zone={live.timezone} seconds="unless-zero" />
            </li>
          ))}
        </ul>
      )}
      <div style={{ marginTop: '0.5rem', display: 'flex', gap: '1rem', flexWrap: 'wrap', fontSize: 13 }}>
        {Object.keys(deployment.parameters).length > 0 && (
          <span className="muted mono ellipsis" style={{ maxWidth: '100%' }} title={JSON.stringify(deployment.parameters)}>
            parameters {JSON.stringify(deployment.parameters)}
          </span>
        )}
        {live && live.recentRuns.length > 0 && (
          <span>
            last run: <Link href={runHref(live.recentRuns[live.recentRuns.length - 1])}>{live.recentRuns[live.recentRuns.length - 1].workflowId}</Link>
          </span>
        )}
        {canOperate && <Link href={runFormHref(flow, { deployment: deployment.name })}>Run with other parameters…</Link>}
        {live && (
          <a href={live.temporalWebUrl} target="_blank" rel="noreferrer">
            Schedule in Temporal Web ↗
          </a>
        )}
      </div>
      {scheduled && canOperate && (
        <details className="backfill" style={{ marginTop: '0.5rem' }}>
          <summary>Backfill: run every slot of a past range…</summary>
          <BackfillForm flow={flow} deployment={deployment.name} oneAtATime={(deployment.declared?.overlap ?? 'skip') !== 'allowAll'} />
        </details>
      )}
      <BackfillList flow={flow} backfills={backfills} canOperate={canOperate} />
    </div>
  );
}
