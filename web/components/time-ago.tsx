'use client';

import { timeLabel, type TimeFormat } from '@/lib/format';
import { usePageClock } from './page-clock';

/**
 * A time as "5 min ago", or with `absolute` as "2026-12-07 06:00:12 CET · 5 min ago": always in a `<time>` with
 * the instant, and the absolute time with its zone on hover. Times are shown in the reader's zone, or in `zone`
 * when it is given (a deployment's next runs, in the deployment's zone), followed then by the reader's own time
 * where that reads differently. Every relative time on the page is read off one clock (page-clock.ts).
 *
 * The server, which knows neither the reader's now nor their zone, renders the absolute time in UTC (or `zone`);
 * the browser switches to the reader's as soon as the page runs.
 */
export function TimeAgo({ iso, absolute = false, zone, seconds }: { iso: string | null | undefined; absolute?: boolean; zone?: string; seconds?: TimeFormat['seconds'] }) {
  const clock = usePageClock();
  if (!iso) return <span className="faint">—</span>;
  const { text, title } = timeLabel(iso, { reader: clock?.zone ?? null, now: clock?.now ?? null, zone, absolute, seconds });
  // Hydration renders the server's text (see page-clock.ts), but Node's and the browser's ICU may name a zone
  // differently; the browser's text replaces it right after anyway.
  return (
    <time dateTime={iso} title={title} className="num" suppressHydrationWarning>
      {text}
    </time>
  );
}
