'use client';

import { useEffect, useState } from 'react';
import { formatAbsolute, formatRelative } from '@/lib/format';

/**
 * A time as "5 min ago" (or "2024-05-01 08:00:12 · 5 min ago" with `absolute`), the exact time on hover, in the
 * reader's own time zone. The server renders it in UTC; after hydration the browser switches to its zone and
 * keeps the relative part fresh. One text node, so the hydration difference is expected and silenced.
 */
export function TimeAgo({ iso, absolute = false }: { iso: string | null | undefined; absolute?: boolean }) {
  const [clock, setClock] = useState<{ now: number; zone: string } | null>(null);
  useEffect(() => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    const tick = () => setClock({ now: Date.now(), zone });
    tick();
    const id = setInterval(tick, 15_000);
    return () => clearInterval(id);
  }, []);
  if (!iso) return <span className="faint">—</span>;
  const now = clock?.now ?? Date.now();
  const zone = clock?.zone ?? 'UTC';
  const exact = formatAbsolute(iso, zone);
  const relative = formatRelative(iso, now);
  return (
    <time dateTime={iso} title={`${exact} (${zone})`} className="num" suppressHydrationWarning>
      {absolute ? `${exact} · ${relative}` : relative}
    </time>
  );
}
