'use client';

/**
 * One clock for every time on the page. Each relative time ("15 s ago") and live duration reads the same `now`,
 * so two of them can never disagree: with a clock each, ticking from when each appeared, a run's "Ended" (shown
 * later, when the run closed) ran ahead of its "Started" and could read as the earlier of the two.
 *
 * Null while the server renders and the page hydrates: the server's now and zone are not the reader's, so the
 * server's HTML shows absolute times in UTC, named, and the browser switches every time to its own now and zone
 * in the same render.
 */
import { useSyncExternalStore } from 'react';

export interface PageClock {
  now: number;
  /** The reader's IANA time zone. */
  zone: string;
}

const TICK_MS = 1000;
let current: PageClock | null = null;
let timer: ReturnType<typeof setInterval> | undefined;
const listeners = new Set<() => void>();

function read(): PageClock {
  return { now: Date.now(), zone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' };
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (timer === undefined) {
    timer = setInterval(() => {
      current = read();
      for (const l of listeners) l();
    }, TICK_MS);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      clearInterval(timer);
      timer = undefined;
      current = null; // a later page starts from a fresh reading, not a stale one
    }
  };
}

// The same object until the next tick: React compares snapshots by identity.
const snapshot = () => (current ??= read());
const serverSnapshot = () => null;

/** The page's clock; null on the server and during hydration. */
export function usePageClock(): PageClock | null {
  return useSyncExternalStore(subscribe, snapshot, serverSnapshot);
}

const noSubscription = () => () => {};
const readerZone = () => read().zone;

/** The reader's IANA time zone, without the ticks (for what shows absolute times only); null on the server. */
export function useReaderZone(): string | null {
  return useSyncExternalStore(noSubscription, readerZone, serverSnapshot);
}
