/**
 * What a notification rule says: which events of which runs reach which channels. Declared in code next to
 * a flow or a deployment (`notify: [...]`), or added by an admin on the Notifications page.
 *
 * Sandbox-safe (types and constants only): flows import it through `sluice/flow`.
 *
 * @example
 * flow({ notify: [{ on: ['failed', 'recovered'], channels: ['data-team', 'mailto:ops@example.org'] }],
 *        deployments: [{ name: 'daily', cron: '0 6 * * *', notify: [{ on: ['late'], channels: ['data-team'], lateAfter: '10m' }] }] }, …)
 */
import type { Duration } from '../task-options';

/**
 * - `failed`, `timed_out`, `cancelled`: a run closed that way (a terminated run counts as failed);
 * - `recovered`: the first completed run of a flow (and deployment) after failed or timed-out ones;
 * - `long_running`: a run is still running after `longerThan`;
 * - `late`: a deployment's scheduled run did not start within `lateAfter` of its time;
 * - `asked`: a run waits for a person's answer (its flow called `ask()`); told once per question, with a link.
 *
 * @example
 * const events: NotifyEvent[] = ['failed', 'timed_out', 'late'];
 */
export type NotifyEvent = 'failed' | 'timed_out' | 'cancelled' | 'recovered' | 'long_running' | 'late' | 'asked';

export const NOTIFY_EVENTS: readonly NotifyEvent[] = ['failed', 'timed_out', 'cancelled', 'recovered', 'long_running', 'late', 'asked'];

/** What a rule reacts to when it names no events. */
export const DEFAULT_NOTIFY_EVENTS: readonly NotifyEvent[] = ['failed', 'timed_out'];

export type { Duration };

/**
 * Who is told about which runs: a flow's or deployment's `notify: [...]`.
 *
 * @example
 * const rule: NotifyRule = { on: ['failed', 'recovered'], channels: ['data-team', 'mailto:ops@example.org'] };
 */
export interface NotifyRule {
  /** Default `['failed', 'timed_out']`. */
  on?: NotifyEvent[];
  /**
   * Where to send: the name of a channel (added by an admin on the Notifications page, or set in the
   * environment as SLUICE_CHANNEL_<NAME>), or `mailto:someone@example.org` for an e-mail over the SMTP server.
   */
  channels: string[];
  /** For `long_running`: how long a run may run. Required with that event. */
  longerThan?: Duration;
  /** For `late`: how long after its scheduled time a run may start. Default 5 minutes. */
  lateAfter?: Duration;
}
