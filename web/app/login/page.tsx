// The log-in page: public (the proxy lets it through). Already logged in → straight on to `next`.
import { redirect } from 'next/navigation';
import { getEnv } from '@/lib/env';
import { currentUserIfKnown } from '@/lib/auth/guard';
import { loginErrorMessage } from '@/lib/auth/login-errors';
import { LoginForm } from './login-form';
import { safeNext } from './safe-next';
import styles from './login.module.css';

export const metadata = { title: 'Log in · Sluice' };

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const next = safeNext(typeof params.next === 'string' ? params.next : undefined);
  if (await currentUserIfKnown()) redirect(next);
  const { oidc } = getEnv();
  return (
    <section className={styles.page}>
      <div className={styles.card}>
        <h1 className={styles.title}>Log in to Sluice</h1>
        <LoginForm
          next={next}
          initialError={loginErrorMessage(typeof params.error === 'string' ? params.error : undefined)}
          ssoName={oidc ? oidc.displayName : null}
        />
      </div>
    </section>
  );
}
