import Link from 'next/link';
import type { LimitState, SlotWait } from 'sluice/client';
import { formatDuration } from '@/lib/format';
import { runHref } from '@/lib/links';

/** What a limit is, in words: "knmi-api (2 at once)", "knmi-api (30 per 1 min)". */
export function limitText(w: Pick<SlotWait, 'kind' | 'key' | 'limit' | 'perMs'>): string {
  return w.kind === 'rate' ? `${w.key} (${w.limit} per ${formatDuration(w.perMs ?? 60_000)})` : `${w.key} (${w.limit} at once)`;
}

/** Beside a running run's status while it waits for a slot of a concurrency limit or a start of a rate limit. */
export function SlotWaitBadge({ waits }: { waits: SlotWait[] }) {
  const keys = [...new Set(waits.map((w) => w.key))];
  return (
    <span className="badge tone-warn" data-testid="waiting-for-slot" title={waits.map((w) => `${w.what} waits for ${limitText(w)}`).join('\n')}>
      waiting for {keys.length === 1 ? `a slot: ${keys[0]}` : `slots: ${keys.join(', ')}`}
    </span>
  );
}

/** The run page's account of what it waits for: each limit, how many slots are in use, by which runs. */
export function SlotWaitPanel({ waits, limits }: { waits: SlotWait[]; limits: LimitState[] }) {
  if (waits.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="slot-waits" data-testid="slot-waits">
      <h2 id="slot-waits">Waiting for a slot</h2>
      <ul>
        {waits.map((w) => {
          const state = limits.find((l) => l.kind === w.kind && l.key === w.key);
          return (
            <li key={`${w.kind}:${w.key}:${w.what}:${w.since}`} data-testid="slot-wait" data-key={w.key}>
              The {w.what} waits for <strong>{limitText(w)}</strong>
              {state && (
                <>
                  {': '}
                  <span data-testid="slot-in-use">
                    {state.inUse} of {state.limit} {w.kind === 'rate' ? 'starts used in this window' : 'in use'}
                  </span>
                  {state.holders.length > 0 && (
                    <>
                      {', by '}
                      {state.holders.map((h, i) => (
                        <span key={h.runId}>
                          {i > 0 && ', '}
                          <Link href={runHref(h)} className="mono">
                            {h.workflowId}
                          </Link>
                        </span>
                      ))}
                    </>
                  )}
                  {state.waiting > 0 && `; ${state.waiting} waiting, this run included`}
                </>
              )}
              .
            </li>
          );
        })}
      </ul>
    </section>
  );
}
