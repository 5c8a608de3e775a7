'use client';
// The API tokens page's forms; each posts to a server action and shows its answer in place.
import { useActionState } from 'react';
import { EMPTY } from '../form-state';
import { AddFormEnd, FieldError, RoleOptions } from '../form-parts';
import { createToken, revokeToken } from './actions';
import styles from '../admin.module.css';

/** `knownQueues`: the task queues workers published flows or tasks on, offered for a worker token. */
export function CreateTokenForm({ knownQueues }: { knownQueues: string[] }) {
  const [state, action, pending] = useActionState(createToken, EMPTY);
  return (
    <form action={action} className={styles.addForm} data-testid="create-token">
      <div className="field">
        <label htmlFor="token-name">Name</label>
        <input id="token-name" name="name" type="text" placeholder="rainfall-etl" required defaultValue={state.values?.name ?? ''} aria-invalid={!!state.fieldErrors?.name} />
        <FieldError state={state} name="name" />
      </div>
      <div className="field">
        <label htmlFor="token-role">Role</label>
        <select key={state.values?.role ?? 'operator'} id="token-role" name="role" defaultValue={state.values?.role ?? 'operator'}>
          <RoleOptions />
          <option>worker</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="token-queues">Task queues (for a worker token)</label>
        <input
          id="token-queues"
          name="taskQueues"
          type="text"
          list="token-known-queues"
          placeholder="hydrology"
          defaultValue={state.values?.taskQueues ?? ''}
          aria-invalid={!!state.fieldErrors?.taskQueues}
        />
        <datalist id="token-known-queues">
          {knownQueues.map((q) => (
            <option key={q} value={q} />
          ))}
        </datalist>
        <span className="help">
          A worker token writes its runs&apos; lines and publishes flows for these task queues only (comma-separated){knownQueues.length ? `; known: ${knownQueues.join(', ')}` : ''}.
        </span>
        <FieldError state={state} name="taskQueues" />
      </div>
      <div className="field">
        <label htmlFor="token-expiry">Expires after (days)</label>
        <input
          id="token-expiry"
          name="expiresInDays"
          type="number"
          min={1}
          step={1}
          placeholder="never"
          defaultValue={state.values?.expiresInDays ?? ''}
          aria-invalid={!!state.fieldErrors?.expiresInDays}
        />
        <span className="help">Empty: until revoked.</span>
        <FieldError state={state} name="expiresInDays" />
      </div>
      <AddFormEnd label="Create token" pending={pending} state={state}>
        {state.token && (
          <code className={styles.secret} data-testid="new-token">
            {state.token}
          </code>
        )}
      </AddFormEnd>
    </form>
  );
}

export function RevokeForm({ id, name }: { id: number; name: string }) {
  const [state, action, pending] = useActionState(revokeToken, EMPTY);
  return (
    <form
      action={action}
      className={styles.inline}
      onSubmit={(e) => {
        if (!window.confirm(`Revoke the token '${name}'? Programs using it stop working at once.`)) e.preventDefault();
      }}
    >
      <input type="hidden" name="id" value={id} />
      <button className="small danger" type="submit" disabled={pending}>
        Revoke
      </button>
      {state.error && <p className="form-error">{state.error}</p>}
    </form>
  );
}
