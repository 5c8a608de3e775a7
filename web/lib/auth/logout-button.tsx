'use client';
// Log-out: next-auth clears the session cookie (a POST with its CSRF token), then the log-in page.
import { signOut } from 'next-auth/react';
import { useState } from 'react';

export function LogoutButton({ className }: { className?: string }) {
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      className={className}
      disabled={busy}
      onClick={async () => {
        setBusy(true);
        // redirect: false — the server's redirect URL depends on NEXTAUTH_URL; this page knows its own origin.
        await signOut({ redirect: false });
        window.location.assign('/login');
      }}
    >
      Log out
    </button>
  );
}
