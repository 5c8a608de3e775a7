/**
 * The frame of every page: the top bar (sections, who is logged in with their role, log-out) and the content.
 * The log-in page shares it, so the bar shows only the name "Sluice" when nobody is logged in.
 */
import type { ReactNode } from 'react';
import Link from 'next/link';
import { currentUserIfKnown } from '@/lib/auth/guard';
import { LogoutButton } from '@/lib/auth/logout-button';
import { NavLinks } from '@/components/nav-links';
import './globals.css';

export const metadata = { title: { default: 'Sluice', template: '%s · Sluice' } };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await currentUserIfKnown();
  const links = [
    { href: '/', label: 'Home' },
    { href: '/runs', label: 'Runs' },
    { href: '/flows', label: 'Flows' },
    ...(user?.role === 'admin'
      ? [
          { href: '/admin/users', label: 'Users' },
          { href: '/admin/tokens', label: 'API tokens' },
          { href: '/admin/notifications', label: 'Notifications' },
          { href: '/admin/store', label: 'Store' },
        ]
      : []),
  ];
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <Link href="/" className="brand">
            Sluice
          </Link>
          {user && <NavLinks links={links} />}
          {user && (
            <div className="user-box">
              <span data-testid="current-user" title={user.email}>
                {user.name ?? user.email}
              </span>
              <span className="role" data-testid="current-role">
                {user.role}
              </span>
              <LogoutButton className="small" />
              <LogoutButton className="small" everywhere />
            </div>
          )}
        </header>
        <main className="page">{children}</main>
      </body>
    </html>
  );
}
