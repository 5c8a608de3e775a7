/** A message that says only that a channel works: what an admin sends from the Notifications page to try one. */
import type { Kysely } from 'kysely';
import type { Database } from '../store';
import { findChannel } from './channel-store';
import type { NotifierSettings } from './notifier';
import { send } from './send';

/**
 * Sends a test message through the channel named `name` (from the environment, a mailto: address or stored), as
 * the notifier would send a real one. Throws ChannelConfigError (no such channel) or DeliveryError (not handed
 * over: the SMTP server's or the webhook's answer, a refused target, a timeout), each with a readable message.
 *
 * @example await sendTestMessage(store.db, notifierSettingsFromEnv(process.env), 'data-team', 'admin@example.org');
 */
export async function sendTestMessage(
  db: Kysely<Database>,
  settings: Pick<NotifierSettings, 'channels' | 'secrets' | 'mail' | 'allowLocalWebhooks'>,
  name: string,
  sentBy: string,
  timeoutMs = 15_000,
): Promise<void> {
  const channel = await findChannel(db, settings, name);
  const message = {
    subject: `Sluice: test message for channel ${name}`,
    text: `${sentBy} sent this from Sluice's Notifications page: channel ${name} works. Rules that name it send their messages here.`,
    events: [],
  };
  await send(channel, message, { id: 0, rule: 'test' }, settings.mail, { timeoutMs, allowLocalWebhooks: settings.allowLocalWebhooks });
}
