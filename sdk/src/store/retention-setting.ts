/**
 * SLUICE_RETENTION: how long per-run data (log lines, the notification outbox, login failures) is kept.
 * Unset: as long as Temporal keeps runs (the namespace's retention, read before each sweep — 30 days as
 * Sluice's dev server and compose set it); a duration such as `30d` or `720h`; or `off` to keep everything.
 */
import { durationMs } from '../deployments';

export type RetentionSetting = { kind: 'namespace' } | { kind: 'fixed'; ms: number; text: string } | { kind: 'off' };

const MIN_MS = 60 * 60_000;

/**
 * Parses the value of SLUICE_RETENTION; throws an Error naming the variable when it is unusable.
 *
 * @example parseRetention('90d') // { kind: 'fixed', ms: 7_776_000_000, text: '90d' }
 */
export function parseRetention(value: string | undefined): RetentionSetting {
  const text = value?.trim() ?? '';
  if (text === '' || text === 'namespace') return { kind: 'namespace' };
  if (text === 'off') return { kind: 'off' };
  const ms = durationMs(text);
  // A bare number would be milliseconds: refuse it along with anything under an hour, which is surely a slip.
  if (ms === undefined || !/[a-z]/i.test(text) || ms < MIN_MS) {
    throw new Error(`SLUICE_RETENTION: '${text}' is not a retention period; use a duration of at least an hour such as 30d or 720h, 'off' to keep everything, or leave it unset to follow the Temporal namespace's retention.`);
  }
  return { kind: 'fixed', ms, text };
}
