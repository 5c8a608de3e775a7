'use client';

/**
 * A deployment's controls for operators: pause with a note (why, until when), resume, run now. The note is
 * kept on the Temporal Schedule, so Temporal Web shows it too.
 */
import { useActionState } from 'react';
import { deploymentAction, type DeploymentFormState } from '@/app/flows/actions';

export function DeploymentControls({ flow, deployment, paused, scheduled }: { flow: string; deployment: string; paused: boolean; scheduled: boolean }) {
  const [state, formAction, pending] = useActionState<DeploymentFormState, FormData>(deploymentAction, {});
  return (
    <form action={formAction} className="controls" data-testid={`deployment-controls-${deployment}`}>
      <input type="hidden" name="flow" value={flow} />
      <input type="hidden" name="deployment" value={deployment} />
      {/* A deployment without a schedule has nothing to pause, unless it was paused before its schedule went away. */}
      {(scheduled || paused) && (
        <input type="text" name="note" placeholder={paused ? 'Note (optional)' : 'Why pause? (optional note)'} aria-label={`Note for ${deployment}`} maxLength={500} />
      )}
      {paused ? (
        <button type="submit" name="intent" value="resume" disabled={pending}>
          Resume
        </button>
      ) : scheduled ? (
        <button type="submit" name="intent" value="pause" disabled={pending}>
          Pause
        </button>
      ) : null}
      <button type="submit" name="intent" value="trigger" className="primary" disabled={pending}>
        Run now
      </button>
      {(state.error || state.message) && (
        <span className={state.error ? 'form-error' : 'form-ok'} role="status">
          {state.error ?? state.message}
        </span>
      )}
    </form>
  );
}
