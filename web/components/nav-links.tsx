'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

/** The top navigation, marking the section the reader is in. */
export function NavLinks({ links }: { links: { href: string; label: string }[] }) {
  const pathname = usePathname() ?? '/';
  return (
    <nav className="nav" aria-label="Main">
      {links.map((l) => {
        const current = l.href === '/' ? pathname === '/' : pathname === l.href || pathname.startsWith(`${l.href}/`);
        return (
          <Link key={l.href} href={l.href} aria-current={current ? 'page' : undefined}>
            {l.label}
          </Link>
        );
      })}
    </nav>
  );
}
