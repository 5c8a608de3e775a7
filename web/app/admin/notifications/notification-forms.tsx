'use client';
// The Notifications page's forms; each posts to a server action and shows its answer in place.
import { useActionState } from 'react';
import { EMPTY, type FormState } from '../form-state';
import { AddFormEnd, FieldError } from '../form-parts';
import { createChannel, createRule, removeChannel, removeRule, sendAgain, testChannel } from './actions';
import styles from '../admin.module.css';

/** `kinds`: the channel kinds, handed down by the page (the client bundle does not load sluice/internal/notify). */
/** A labelled text input that keeps what was typed after an error and shows its field's message. */
function TextField({ state, id, name, label, placeholder, required }: { state: FormState; id: string; name: string; label: string; placeholder: string; required?: boolean }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} name={name} type="text" placeholder={placeholder} required={required} defaultValue={state.values?.[name] ?? ''} aria-invalid={!!state.fieldErrors?.[name]} />
      <FieldError state={state} name={name} />
    </div>
  );
}

export function CreateChannelForm({ kinds }: { kinds: readonly string[] }) {
  const [state, action, pending] = useActionState(createChannel, EMPTY);
  return (
    <form action={action} className={styles.addForm} data-testid="create-channel">
      <TextField state={state} id="channel-name" name="name" label="Name" placeholder="data-team" required />
      <div className="field">
        <label htmlFor="channel-kind">Kind</label>
        <select key={state.values?.kind ?? 'slack'} id="channel-kind" name="kind" defaultValue={state.values?.kind ?? 'slack'}>
          {kinds.map((k) => (
            <option key={k}>{k}</option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="channel-target">Addresses or webhook URL</label>
        <input id="channel-target" name="target" type="password" autoComplete="off" placeholder="https://hooks.slack.com/services/…" required aria-invalid={!!state.fieldErrors?.target} />
        <FieldError state={state} name="target" />
      </div>
      <div className="field">
        <label htmlFor="channel-secret">Signing secret (webhook)</label>
        <input id="channel-secret" name="secret" type="password" autoComplete="off" />
      </div>
      <AddFormEnd label="Add channel" pending={pending} state={state} />
    </form>
  );
}

export function CreateRuleForm({ flows, events }: { flows: string[]; events: readonly string[] }) {
  const [state, action, pending] = useActionState(createRule, EMPTY);
  return (
    <form action={action} className={styles.addForm} data-testid="create-rule">
      <div className="field">
        <label htmlFor="rule-flow">Flow</label>
        <select key={state.values?.flow ?? ''} id="rule-flow" name="flow" defaultValue={state.values?.flow ?? ''}>
          <option value="">every flow</option>
          {flows.map((f) => (
            <option key={f}>{f}</option>
          ))}
        </select>
      </div>
      <TextField state={state} id="rule-deployment" name="deployment" label="Deployment" placeholder="every deployment" />
      <TextField state={state} id="rule-channels" name="channels" label="Channels" placeholder="data-team, mailto:ops@example.org" required />
      <TextField state={state} id="rule-longer" name="longerThan" label="Running longer than" placeholder="2h" />
      <fieldset className={`field ${styles.wide}`}>
        <legend>Events</legend>
        <div className="checks">
          {events.map((e) => (
            <label key={e}>
              <input type="checkbox" name="events" value={e} defaultChecked={e === 'failed' || e === 'timed_out'} /> {e.replace('_', ' ')}
            </label>
          ))}
        </div>
        <FieldError state={state} name="events" />
      </fieldset>
      <TextField state={state} id="rule-late" name="lateAfter" label="Late after (deployments)" placeholder="5 minutes" />
      <AddFormEnd label="Add rule" pending={pending} state={state} />
    </form>
  );
}

/** One button acting on one row; `fields` (the row's id or name) are posted with it. */
function RowButton({ act, fields, label, confirm, danger }: { act: (prev: FormState, form: FormData) => Promise<FormState>; fields: Record<string, string | number>; label: string; confirm?: string; danger?: boolean }) {
  const [state, action, pending] = useActionState(act, EMPTY);
  return (
    <form
      action={action}
      className={styles.inline}
      onSubmit={(e) => {
        if (confirm && !window.confirm(confirm)) e.preventDefault();
      }}
    >
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button className={`small${danger ? ' danger' : ''}`} type="submit" disabled={pending}>
        {label}
      </button>
      {state.error && <p className="form-error">{state.error}</p>}
      {state.ok && <p className="form-ok">{state.ok}</p>}
    </form>
  );
}

export const DeleteChannelForm = ({ id, name }: { id: number; name: string }) => (
  <RowButton act={removeChannel} fields={{ id }} label="Delete" danger confirm={`Delete the channel ${name}? Rules naming it stop reaching anyone.`} />
);
export const TestChannelForm = ({ name }: { name: string }) => <RowButton act={testChannel} fields={{ name }} label="Send test" />;
export const DeleteRuleForm = ({ id }: { id: number }) => <RowButton act={removeRule} fields={{ id }} label="Delete" danger confirm="Delete this rule?" />;
export const SendAgainForm = ({ id }: { id: number }) => <RowButton act={sendAgain} fields={{ id }} label="Send again" />;
