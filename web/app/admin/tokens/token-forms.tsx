'use client';
import { useActionState } from 'react';
import { ROLES } from '@/lib/auth/roles';
import { EMPTY } from '../form-state';
import { createToken, revokeToken } from './actions';
import styles from '../admin.module.css';

export function CreateTokenForm() {
  const [state, action, pending] = useActionState(createToken, EMPTY);
  return (
    <form action={action} className={styles.addForm} data-testid="create-token">
      <div className="field">
        <label htmlFor="token-name">Name</label>
        <input id="token-name" name="name" type="text" placeholder="rainfall-etl" required defaultValue={state.values?.name ?? ''} aria-invalid={!!state.fieldErrors?.name} />
        {state.fieldErrors?.name && <span className="error">{state.fieldErrors.name}</span>}
      </div>
      <div className="field">
        <label htmlFor="token-role">Role</label>
        <select key={state.values?.role ?? 'operator'} id="token-role" name="role" defaultValue={state.values?.role ?? 'operator'}>
          {ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </div>
      <div className="form-actions">
        <button className="primary" type="submit" disabled={pending}>
          Create token
        </button>
      </div>
      <div className={styles.wide}>
        {state.error && <p className="form-error" role="alert">{state.error}</p>}
        {state.ok && (
          <div className="form-ok" role="status">
            {state.ok}
            {state.token && (
              <code className={styles.secret} data-testid="new-token">
                {state.token}
              </code>
            )}
          </div>
        )}
      </div>
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
