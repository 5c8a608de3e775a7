'use client';
// The users page's forms; each posts to a server action and shows its answer in place.
import { useActionState } from 'react';
import type { Role } from '@/lib/auth/roles';
import { EMPTY } from '../form-state';
import { AddFormEnd, FieldError, FormMessage, RoleOptions } from '../form-parts';
import { addUser, changeRole, endSessions, resetPassword, setDisabled } from './actions';
import styles from '../admin.module.css';

export function AddUserForm() {
  const [state, action, pending] = useActionState(addUser, EMPTY);
  return (
    <form action={action} className={styles.addForm} data-testid="add-user">
      <div className="field">
        <label htmlFor="add-email">Email</label>
        <input id="add-email" name="email" type="email" required defaultValue={state.values?.email ?? ''} aria-invalid={!!state.fieldErrors?.email} />
        <FieldError state={state} name="email" />
      </div>
      <div className="field">
        <label htmlFor="add-name">Name</label>
        <input id="add-name" name="name" type="text" defaultValue={state.values?.name ?? ''} />
      </div>
      <div className="field">
        <label htmlFor="add-role">Role</label>
        {/* keyed: a select takes defaultValue only when mounted, and React resets forms after an action */}
        <select key={state.values?.role ?? 'viewer'} id="add-role" name="role" defaultValue={state.values?.role ?? 'viewer'}>
          <RoleOptions />
        </select>
        <FieldError state={state} name="role" />
      </div>
      <div className="field">
        <label htmlFor="add-password">Password</label>
        <input id="add-password" name="password" type="password" autoComplete="new-password" aria-invalid={!!state.fieldErrors?.password} />
        <span className="help">Empty: single sign-on only.</span>
        <FieldError state={state} name="password" />
      </div>
      <AddFormEnd label="Add user" pending={pending} state={state} />
    </form>
  );
}

export function RoleForm({ email, role }: { email: string; role: Role }) {
  const [state, action, pending] = useActionState(changeRole, EMPTY);
  return (
    <form action={action} className={styles.inline}>
      <input type="hidden" name="email" value={email} />
      <select key={role} name="role" defaultValue={role} aria-label={`Role of ${email}`}>
        <RoleOptions />
      </select>
      <button className="small" type="submit" disabled={pending}>
        Save
      </button>
      <FormMessage state={state} />
    </form>
  );
}

export function PasswordForm({ email }: { email: string }) {
  const [state, action, pending] = useActionState(resetPassword, EMPTY);
  return (
    <form action={action} className={styles.inline}>
      <input type="hidden" name="email" value={email} />
      <input name="password" type="password" placeholder="new password" autoComplete="new-password" aria-label={`New password for ${email}`} required />
      <button className="small" type="submit" disabled={pending}>
        Set
      </button>
      <FieldError state={state} name="password" />
      {!state.fieldErrors && <FormMessage state={state} />}
    </form>
  );
}

export function DisableForm({ email, disabled }: { email: string; disabled: boolean }) {
  const [state, action, pending] = useActionState(setDisabled, EMPTY);
  return (
    <form action={action} className={styles.inline}>
      <input type="hidden" name="email" value={email} />
      <input type="hidden" name="disabled" value={disabled ? 'false' : 'true'} />
      <button className={disabled ? 'small' : 'small danger'} type="submit" disabled={pending}>
        {disabled ? 'Enable' : 'Disable'}
      </button>
      <FormMessage state={state} />
    </form>
  );
}

export function EndSessionsForm({ email }: { email: string }) {
  const [state, action, pending] = useActionState(endSessions, EMPTY);
  return (
    <form action={action} className={styles.inline}>
      <input type="hidden" name="email" value={email} />
      <button className="small" type="submit" disabled={pending} title={`Log ${email} out on every device`}>
        End sessions
      </button>
      <FormMessage state={state} />
    </form>
  );
}
