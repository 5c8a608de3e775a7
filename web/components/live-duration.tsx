'use client';

import { useEffect, useState } from 'react';
import { elapsedMs, formatDuration } from '@/lib/format';

/** How long a run has been going, ticking each second. */
export function LiveDuration({ startIso }: { startIso: string }) {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  return (
    <span className="num" suppressHydrationWarning>
      {formatDuration(elapsedMs(startIso, null, now ?? Date.now()))}
    </span>
  );
}
