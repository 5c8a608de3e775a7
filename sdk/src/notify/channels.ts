/**
 * Channels: where a message goes. An admin adds them on the Notifications page (stored encrypted), or the
 * environment declares them: `SLUICE_CHANNEL_DATA_TEAM=slack:https://hooks.slack.com/services/…` names the
 * channel `data-team`; `SLUICE_CHANNEL_<NAME>_SECRET` is a webhook's signing secret. A rule may also name
 * `mailto:ops@example.org` directly.
 */
import { SluiceError } from '../errors';

export type ChannelKind = 'email' | 'webhook' | 'slack' | 'teams' | 'mattermost';

export const CHANNEL_KINDS: readonly ChannelKind[] = ['email', 'webhook', 'slack', 'teams', 'mattermost'];

export interface ChannelConfig {
  name: string;
  kind: ChannelKind;
  /** Comma-separated addresses (email) or the URL to POST to (the others). */
  target: string;
  /** The generic webhook's HMAC-SHA256 key. */
  secret?: string;
}

/** Thrown when a channel's settings are unusable; the message says which and how to fix it. */
export class ChannelConfigError extends SluiceError {
  static override readonly code = 'invalid_channel';
  static override readonly kind = 'bad_request';

  override name = 'ChannelConfigError';
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Why a channel cannot be used as written, or null when it can. */
export function channelProblem(c: ChannelConfig): string | null {
  if (!NAME.test(c.name)) return `channel name ${JSON.stringify(c.name)}: use 1–64 lowercase letters, digits, dots, dashes or underscores`;
  if (!CHANNEL_KINDS.includes(c.kind)) return `channel ${c.name}: kind ${JSON.stringify(c.kind)} is not one of ${CHANNEL_KINDS.join(', ')}`;
  if (c.kind === 'email') {
    const bad = addressesOf(c.target).filter((a) => !/^[^\s@,]+@[^\s@,]+$/.test(a));
    if (bad.length || addressesOf(c.target).length === 0) return `channel ${c.name}: give e-mail addresses separated by commas, e.g. ops@example.org`;
    return null;
  }
  try {
    const url = new URL(c.target);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error();
  } catch {
    return `channel ${c.name}: the ${c.kind} URL must be an http(s) URL (the incoming-webhook URL of your ${c.kind === 'webhook' ? 'receiver' : c.kind})`;
  }
  return null;
}

export function addressesOf(target: string): string[] {
  return target.split(',').map((a) => a.trim()).filter(Boolean);
}

/** The channel a `mailto:` name stands for, or undefined for any other name. */
export function mailtoChannel(name: string): ChannelConfig | undefined {
  return name.startsWith('mailto:') ? { name, kind: 'email', target: name.slice('mailto:'.length) } : undefined;
}

/** The channels the environment declares (SLUICE_CHANNEL_<NAME>=<kind>:<target>). Throws ChannelConfigError. */
export function channelsFromEnv(env: Record<string, string | undefined>): ChannelConfig[] {
  const channels: ChannelConfig[] = [];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(env)) {
    const m = /^SLUICE_CHANNEL_([A-Z0-9_]+)$/.exec(key);
    if (!m || m[1]!.endsWith('_SECRET') || !value) continue;
    const name = m[1]!.toLowerCase().replace(/_/g, '-');
    const colon = value.indexOf(':');
    const channel = { name, kind: value.slice(0, colon) as ChannelKind, target: value.slice(colon + 1), secret: env[`${key}_SECRET`] || undefined };
    const problem = colon < 0 ? `${key}: write <kind>:<target>, e.g. slack:https://hooks.slack.com/services/…` : channelProblem(channel);
    if (problem) problems.push(`${key}: ${problem}`);
    else channels.push(channel);
  }
  if (problems.length) throw new ChannelConfigError(`Notification channels in the environment are invalid:\n  ${problems.join('\n  ')}`);
  return channels;
}
