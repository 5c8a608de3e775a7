/**
 * Sends one message to one channel: an e-mail over SMTP (nodemailer), or a POST of JSON to a webhook
 * (webhook-post.ts: no redirects, no loopback or link-local targets unless allowed). A generic webhook's body
 * is signed with the time it was sent: `X-Sluice-Signature: t=<unix seconds>,sha256=<hex>`, the HMAC-SHA256
 * of `<t>.<body>` under the channel's secret, so a receiver can refuse a replayed message (see verifySignature);
 * `X-Sluice-Delivery` carries the delivery id so a receiver can drop a repeat (delivery is at-least-once).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
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

export const SIGNATURE_HEADER = 'x-sluice-signature';
export const DELIVERY_HEADER = 'x-sluice-delivery';

/**
 * The signature header's value for `body` sent at `unixSeconds`, under `secret`.
 *
 * @example signatureOf('{"subject":"…"}', 'the-secret', 1765000000) // 't=1765000000,sha256=5d1f…'
 */
export function signatureOf(body: string, secret: string, unixSeconds = Math.floor(Date.now() / 1000)): string {
  return `t=${unixSeconds},sha256=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`;
}

/**
 * For receivers written in TypeScript: true when `header` (X-Sluice-Signature) signs `body` (the raw bytes as
 * received, as text) under `secret`, and was made within `toleranceSeconds` (default 300) of now.
 *
 * @example if (!verifySignature(req.headers['x-sluice-signature'], rawBody, secret)) return res.writeHead(401).end();
 */
export function verifySignature(header: string | undefined, body: string, secret: string, options: { toleranceSeconds?: number; now?: number } = {}): boolean {
  const match = /^t=(\d+),sha256=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return false;
  const sentAt = Number(match[1]);
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(now - sentAt) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signatureOf(body, secret, sentAt));
  const given = Buffer.from(match[0]);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

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
