'use client';

/**
 * The run page's buttons for operators: cancel (while running, after a confirmation), re-run with the same
 * parameters, and re-run with changes (the run form, filled in with this run's parameters).
 */
import Link from 'next/link';
import { useActionState } from 'react';
import { runAction, type RunActionState } from '@/app/runs/actions';

export function RunActions({
  workflowId,
  runId,
  running,
  rerunWithChangesHref,
}: {
  workflowId: string;
  runId: string;
  running: boolean;
  rerunWithChangesHref: string | null;
}) {
  const [state, formAction, pending] = useActionState<RunActionState, FormData>(runAction, {});
  return (
    <div className="actions" data-testid="run-actions">
      <form
        action={formAction}
        className="inline-form"
        onSubmit={(e) => {
          const intent = (e.nativeEvent as SubmitEvent).submitter?.getAttribute('value');
          if (intent === 'cancel' && !window.confirm('Cancel this run? Its running task is asked to stop; finished work stays done.')) e.preventDefault();
        }}
      >
        <input type="hidden" name="workflowId" value={workflowId} />
        <input type="hidden" name="runId" value={runId} />
        {running && (
          <button type="submit" name="intent" value="cancel" className="danger" disabled={pending}>
            Cancel run
          </button>
        )}
        <button type="submit" name="intent" value="rerun" disabled={pending}>
          Re-run
        </button>
      </form>
      {rerunWithChangesHref && (
        <Link className="button" href={rerunWithChangesHref}>
          Re-run with changes…
        </Link>
      )}
      {(state.error || state.message) && (
        <div className={state.error ? 'form-error' : 'form-ok'} role="status" style={{ flexBasis: '100%' }}>
          {state.error ?? state.message}
        </div>
      )}
    </div>
  );
}
