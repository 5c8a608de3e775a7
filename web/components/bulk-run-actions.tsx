'use client';

/**
 * The runs list's bulk actions (operators): cancel or re-run the runs whose boxes are ticked, or every run matching
 * the filter (asked to confirm first). Each run's result is listed: what happened, or why nothing did.
 */
import Link from 'next/link';
import { useActionState } from 'react';
import { bulkRunsAction, type BulkRunsState } from '@/app/runs/actions';
import { runHref } from '@/lib/links';

export const BULK_FORM_ID = 'bulk-runs';

export function BulkRunActions({ filter, matching, max }: { filter: Record<string, string>; matching: number; max: number }) {
  const [state, formAction, pending] = useActionState<BulkRunsState, FormData>(bulkRunsAction, {});
  const confirmAll = (e: React.MouseEvent<HTMLButtonElement>) => {
    const form = e.currentTarget.form;
    const all = form?.querySelector<HTMLInputElement>('input[name="all"]')?.checked;
    const what = e.currentTarget.value === 'cancel' ? 'Cancel' : 'Re-run';
    if (all && !window.confirm(`${what} all ${matching} runs matching this filter?`)) e.preventDefault();
  };
  return (
    <form id={BULK_FORM_ID} action={formAction} className="panel controls bulk" aria-label="Act on selected runs" data-testid="bulk-actions">
      {Object.entries(filter).map(([k, v]) => (
        <input key={k} type="hidden" name={`filter.${k}`} value={v} />
      ))}
      <input type="hidden" name="expect" value={matching} />
      <span className="muted">Selected runs, or</span>
      <label title={matching > max ? `At most ${max} at once: narrow the filter` : undefined}>
        <input type="checkbox" name="all" value="1" disabled={matching === 0 || matching > max} /> all {matching} matching this filter
      </label>
      <button type="submit" name="action" value="cancel" disabled={pending} onClick={confirmAll}>
        Cancel runs
      </button>
      <button type="submit" name="action" value="rerun" disabled={pending} onClick={confirmAll}>
        Re-run
      </button>
      {(state.error || state.message) && (
        <span className={state.error ? 'form-error' : 'form-ok'} role="status">
          {state.error ?? state.message}
        </span>
      )}
      {state.results && state.results.length > 0 && (
        <ul className="bulk-results" aria-label="Result per run" style={{ flexBasis: '100%' }}>
          {state.results.map((r) => (
            <li key={`${r.workflowId}/${r.runId}`} data-result={r.ok ? 'ok' : 'failed'} data-run={r.workflowId}>
              <span className={`badge tone-${r.ok ? 'ok' : 'bad'}`}>{r.ok ? 'done' : 'not done'}</span> <Link href={runHref(r)}>{r.workflowId}</Link>: {r.message}
              {r.rerun && (
                <>
                  {' '}
                  <Link href={runHref(r.rerun)}>the new run</Link>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}
