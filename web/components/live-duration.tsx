'use client';

import { elapsedMs, formatDuration } from '@/lib/format';
import { usePageClock } from './page-clock';

/** How long a run has been going, on the page's one clock (page-clock.ts); "—" until the page runs in the browser. */
export function LiveDuration({ startIso }: { startIso: string }) {
  const clock = usePageClock();
  return <span className="num">{clock ? formatDuration(elapsedMs(startIso, null, clock.now)) : '—'}</span>;
}
