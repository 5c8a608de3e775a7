import { parseArgs } from 'node:util';
import { SluiceClient } from '../client/sluice-client';
import { Notifier } from '../notify/notifier';
import { notifierSettingsFromEnv } from '../notify/settings';
import { EXIT, UsageError, type Command } from './usage';

export const notifierCommand: Command = {
  summary: 'send failure notifications (when the web app does not: SLUICE_NOTIFIER=off there)',
  help: `Usage: sluice notifier [--interval SECONDS]

Finds failed, timed-out, cancelled, recovered, long-running runs and late schedules in Temporal, and sends
the notifications their rules ask for (e-mail, webhook, Slack, Teams, Mattermost) through the store's
outbox. The web app runs the same notifier unless SLUICE_NOTIFIER=off; a lease in the store lets one
process send at a time, so running both is safe. Stops cleanly on SIGTERM/SIGINT.

Options:
  --interval SECONDS   time between rounds (default 15)

Environment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE (and TEMPORAL_TLS_*, TEMPORAL_API_KEY), DATABASE_URL (the store), SLUICE_SMTP_URL, SLUICE_MAIL_FROM,
SLUICE_CHANNEL_<NAME> (+ _SECRET), SLUICE_PUBLIC_URL (or NEXTAUTH_URL) for links, SLUICE_SECRET_KEY (or
NEXTAUTH_SECRET) to read the channels stored on the Notifications page, SLUICE_WEBHOOK_ALLOW_LOCAL=true to let
webhooks go to loopback and link-local addresses.`,
  async run(args) {
    const { values } = parseArgs({ args, options: { interval: { type: 'string' } } });
    const interval = values.interval === undefined ? 15 : Number(values.interval);
    if (!(interval > 0)) throw new UsageError(`--interval must be a number of seconds above 0, got ${JSON.stringify(values.interval)}`);
    const settings = notifierSettingsFromEnv(process.env);
    const client = await SluiceClient.connect();
    const notifier = new Notifier({ client, ...settings, intervalMs: interval * 1000, log: (line) => console.log(line) });
    const stopped = new Promise<void>((resolve) => {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
    });
    notifier.start();
    console.log(`notifier running: a round every ${interval} s${settings.publicUrl ? `, links to ${settings.publicUrl}` : ''}`);
    await stopped;
    await notifier.stop();
    await client.close();
    console.log('notifier stopped');
    return EXIT.ok;
  },
};
