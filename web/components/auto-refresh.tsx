'use client';

import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

/**
 * Re-renders the page's server components every `seconds` while `active` (say, while a listed run is running),
 * and not while the tab is hidden. React keeps client state (scroll, open details, the log viewer) across it.
 */
export function AutoRefresh({ active, seconds = 3 }: { active: boolean; seconds?: number }) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    const id = setInterval(() => {
      if (document.visibilityState === 'visible') router.refresh();
    }, seconds * 1000);
    return () => clearInterval(id);
  }, [active, seconds, router]);
  return active ? (
    <span className="faint" aria-live="off" data-auto-refresh>
      updating live
    </span>
  ) : null;
}
