/**
 * Sends one message to one channel: an e-mail over SMTP (nodemailer), or a POST of JSON to a webhook
 * (webhook-post.ts: no redirects, no loopback or link-local targets unless allowed). A generic webhook's body
 * is signed with the time it was sent: `X-Sluice-Signature: t=<unix seconds>,sha256=<hex>`, the HMAC-SHA256
 * of `<t>.<body>` under the channel's secret, so a receiver can refuse a replayed message (see verifySignature);
 * `X-Sluice-Delivery` carries the delivery id so a receiver can drop a repeat (delivery is at-least-once).
 */
import { SIGNATURE_HEADER, signatureOf } from './signature';
import { addressesOf, type ChannelConfig } from './channels';
import { webhookBody, type Message } from './messages';
import { postWebhook } from './webhook-post';
import { SluiceError } from '../errors';

export interface MailSettings {
  /** `smtp://user:password@host:587` (STARTTLS when offered) or `smtps://…:465`. */
  smtpUrl: string | null;
  from: string;
}

/** Thrown when a message could not be handed over; the delivery is retried. */
export class DeliveryError extends SluiceError {
  static override readonly code = 'delivery_failed';

  override name = 'DeliveryError';
}

export const DELIVERY_HEADER = 'x-sluice-delivery';

export interface SendOptions {
  /** Longest one send may take, connecting included; past it the attempt fails and is retried. */
  timeoutMs: number;
  /** Webhooks to loopback and link-local addresses allowed (SLUICE_WEBHOOK_ALLOW_LOCAL). */
  allowLocalWebhooks: boolean;
}

export async function send(channel: ChannelConfig, message: Message, delivery: { id: number; rule: string }, mail: MailSettings, options: SendOptions): Promise<void> {
  const { timeoutMs } = options;
  if (channel.kind === 'email') {
    if (!mail.smtpUrl) throw new DeliveryError('No SMTP server is set: set SLUICE_SMTP_URL (e.g. smtp://user:password@mail.example.org:587).');
    // Loaded here, not at the top: every worker and the web app import this module, few of them send mail.
    const { default: nodemailer } = await import('nodemailer');
    const transport = nodemailer.createTransport(mail.smtpUrl, { connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs });
    // nodemailer's timeouts are per step; a server answering slowly at every step is cut off here.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeliveryError(`SMTP: no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    try {
      await Promise.race([
        transport.sendMail({
          from: mail.from,
          to: addressesOf(channel.target),
          subject: message.subject,
          text: message.text,
          headers: { 'X-Sluice-Delivery': String(delivery.id) },
        }),
        deadline,
      ]);
    } catch (err) {
      throw err instanceof DeliveryError ? err : new DeliveryError(`SMTP: ${(err as Error).message}`, { cause: err });
    } finally {
      clearTimeout(timer);
      transport.close();
    }
    return;
  }
  const body = JSON.stringify(webhookBody(channel.kind, message, { ...delivery, channel: channel.name }));
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Sluice-Notifier', [DELIVERY_HEADER]: String(delivery.id) };
  if (channel.kind === 'webhook' && channel.secret) headers[SIGNATURE_HEADER] = signatureOf(body, channel.secret);
  try {
    await postWebhook(channel.target, headers, body, { timeoutMs, allowLocal: options.allowLocalWebhooks });
  } catch (err) {
    throw new DeliveryError((err as Error).message, { cause: err });
  }
}
