// Pieces both admin pages' forms are made of: the answer of the last submit, a field's error, the role list.
import type { ReactNode } from 'react';
import { ROLES } from '@/lib/auth/roles';
import type { FormState } from './form-state';
import styles from './admin.module.css';

/** The action's answer: an error (announced), or what was done (plus `children`, e.g. a new token's secret). */
export function FormMessage({ state, children }: { state: FormState; children?: ReactNode }) {
  if (state.error) return <p className="form-error" role="alert">{state.error}</p>;
  if (state.ok)
    return (
      <p className="form-ok" role="status">
        {state.ok}
        {children}
      </p>
    );
  return null;
}

/** The message beside a field that failed validation. */
export function FieldError({ state, name }: { state: FormState; name: string }) {
  const message = state.fieldErrors?.[name];
  return message ? <span className="error" id={`${name}-error`}>{message}</span> : null;
}

/** The `<option>`s of a role `<select>`, lowest role first. */
export function RoleOptions() {
  return ROLES.map((r) => <option key={r}>{r}</option>);
}

/** The end of an "add" form: its submit button, then the answer across the whole form's width. */
export function AddFormEnd({ label, pending, state, children }: { label: string; pending: boolean; state: FormState; children?: ReactNode }) {
  return (
    <>
      <div className="form-actions">
        <button className="primary" type="submit" disabled={pending}>
          {label}
        </button>
      </div>
      <div className={styles.wide}>
        <FormMessage state={state}>{children}</FormMessage>
      </div>
    </>
  );
}
