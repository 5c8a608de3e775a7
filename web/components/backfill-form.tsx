'use client';

/**
 * A scheduled deployment's backfill form (operators): a past range and how many runs at once; "Preview" says how
 * many runs it would make, "Start backfill" starts them. And the button that cancels a backfill as a whole.
 */
import { useActionState, useState } from 'react';
import { backfillAction, cancelBackfillAction } from '@/app/flows/backfill-actions';
import type { DeploymentFormState } from '@/app/flows/actions';

function Said({ state }: { state: DeploymentFormState }) {
  if (!state.error && !state.message) return null;
  return (
    <span className={state.error ? 'form-error' : 'form-ok'} role="status">
      {state.error ?? state.message}
    </span>
  );
}

export function BackfillForm({ flow, deployment, oneAtATime }: { flow: string; deployment: string; oneAtATime: boolean }) {
  const [state, formAction, pending] = useActionState<DeploymentFormState, FormData>(backfillAction, {});
  // Controlled: React resets a form's uncontrolled fields after its action, and "Start" follows "Preview" on the same range.
  const [range, setRange] = useState({ from: '', to: '', maxRunning: '1' });
  const field = (name: keyof typeof range) => ({ name, value: range[name], onChange: (e: React.ChangeEvent<HTMLInputElement>) => setRange({ ...range, [name]: e.target.value }) });
  return (
    <form action={formAction} className="controls" data-testid={`backfill-form-${deployment}`} aria-label={`Backfill ${deployment}`}>
      <input type="hidden" name="flow" value={flow} />
      <input type="hidden" name="deployment" value={deployment} />
      <label>
        From (UTC) <input type="date" {...field('from')} required />
      </label>
      <label>
        To (UTC, included) <input type="date" {...field('to')} required />
      </label>
      <label title={oneAtATime ? "This deployment's overlap policy runs one at a time" : undefined}>
        At once <input type="number" {...field('maxRunning')} min={1} max={50} disabled={oneAtATime} style={{ width: '4rem' }} />
      </label>
      <button type="submit" name="intent" value="preview" disabled={pending}>
        Preview
      </button>
      <button type="submit" name="intent" value="start" className="primary" disabled={pending}>
        Start backfill
      </button>
      <Said state={state} />
    </form>
  );
}

export function CancelBackfill({ flow, id }: { flow: string; id: string }) {
  const [state, formAction, pending] = useActionState<DeploymentFormState, FormData>(cancelBackfillAction, {});
  return (
    <form action={formAction} style={{ display: 'inline' }}>
      <input type="hidden" name="flow" value={flow} />
      <input type="hidden" name="id" value={id} />
      <button type="submit" className="small" disabled={pending} aria-label={`Cancel backfill ${id}`}>
        Cancel backfill
      </button>
      <Said state={state} />
    </form>
  );
}
