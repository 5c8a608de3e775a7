/** The notifier's settings from the environment, read once by the process that starts it. */
import { ChannelConfigError, channelsFromEnv } from './channels';
import type { NotifierSettings } from './notifier';
import { SecretBox } from './secrets';

/**
 * - SLUICE_SMTP_URL: `smtp://user:password@host:587` (or smtps://…:465); SLUICE_MAIL_FROM (default sluice@localhost)
 * - SLUICE_CHANNEL_<NAME>=<kind>:<target>, SLUICE_CHANNEL_<NAME>_SECRET: channels (see channels.ts)
 * - SLUICE_PUBLIC_URL, else NEXTAUTH_URL: the web app's address, for links in messages
 * - SLUICE_SECRET_KEY, else NEXTAUTH_SECRET: the key stored channels are encrypted with
 * - SLUICE_WEBHOOK_ALLOW_LOCAL=true: webhooks may go to loopback and link-local addresses (off: those reach this
 *   host's own services and the cloud's metadata service, 169.254.169.254)
 *
 * Throws ChannelConfigError or SecretKeyError with a readable message.
 */
export function notifierSettingsFromEnv(env: Record<string, string | undefined>): NotifierSettings {
  const key = env.SLUICE_SECRET_KEY || env.NEXTAUTH_SECRET;
  const allowLocal = env.SLUICE_WEBHOOK_ALLOW_LOCAL?.trim() || 'false';
  if (allowLocal !== 'true' && allowLocal !== 'false') {
    throw new ChannelConfigError(`SLUICE_WEBHOOK_ALLOW_LOCAL=${JSON.stringify(env.SLUICE_WEBHOOK_ALLOW_LOCAL)}: use true (webhooks may go to loopback and link-local addresses) or false.`);
  }
  return {
    allowLocalWebhooks: allowLocal === 'true',
    channels: channelsFromEnv(env),
    mail: { smtpUrl: env.SLUICE_SMTP_URL || null, from: env.SLUICE_MAIL_FROM || 'sluice@localhost' },
    publicUrl: (env.SLUICE_PUBLIC_URL || env.NEXTAUTH_URL || '').replace(/\/+$/, '') || null,
    secrets: key ? new SecretBox(key) : null,
  };
}
