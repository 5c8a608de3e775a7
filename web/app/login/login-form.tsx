'use client';
// Posts the credentials to next-auth without leaving the page, so errors (wrong password, locked out)
// show beside the form; on success, a full page load to `next` so every server component sees the session.
import { signIn } from 'next-auth/react';
import { useState, type FormEvent } from 'react';
import styles from './login.module.css';

export function LoginForm({ next, initialError, ssoName }: { next: string; initialError: string | null; ssoName: string | null }) {
  const [error, setError] = useState<string | null>(initialError);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const result = await signIn('credentials', {
        email: String(form.get('email') ?? ''),
        password: String(form.get('password') ?? ''),
        redirect: false,
      });
      if (result?.ok && !result.error) {
        window.location.assign(next);
        return;
      }
      setError(result?.error && result.error !== 'CredentialsSignin' ? result.error : 'Wrong email or password.');
    } catch {
      setError('Could not reach the server. Check your connection and try again.');
    }
    setBusy(false);
  }

  return (
    <>
      <form className={styles.form} onSubmit={submit} method="post" action="/api/auth/callback/credentials">
        <label className={styles.field}>
          <span>Email</span>
          <input name="email" type="email" autoComplete="username" required autoFocus />
        </label>
        <label className={styles.field}>
          <span>Password</span>
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <p className={styles.error} role="alert" aria-live="polite">
          {error ?? '\u00a0'}
        </p>
        <button className={styles.primary} type="submit" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      {ssoName && (
        <>
          <div className={styles.or}>or</div>
          <button className={styles.secondary} type="button" onClick={() => signIn('oidc', { callbackUrl: next })}>
            Log in with {ssoName}
          </button>
        </>
      )}
    </>
  );
}
