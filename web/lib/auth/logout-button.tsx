'use client';
// Log-out: next-auth ends this session and clears its cookie (a POST with its CSRF token), then the log-in
// page. "Everywhere" first ends every session of the user, on every device (session-actions.ts).
import { signOut } from 'next-auth/react';
import { useState } from 'react';
import { logOutEverywhere } from './session-actions';

export function LogoutButton({ className, everywhere = false }: { className?: string; everywhere?: boolean }) {
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      className={className}
      disabled={busy}
      title={everywhere ? 'End your sessions on every device and browser' : undefined}
      onClick={async () => {
        setBusy(true);
        if (everywhere) await logOutEverywhere();
        // redirect: false — the server's redirect URL depends on NEXTAUTH_URL; this page knows its own origin.
        await signOut({ redirect: false });
        window.location.assign('/login');
      }}
    >
      {everywhere ? 'Log out everywhere' : 'Log out'}
    </button>
  );
}
