/**
 * Sends one message to one channel: an e-mail over SMTP (nodemailer), or a POST of JSON to a webhook. A
 * generic webhook's body is signed: `X-Sluice-Signature: sha256=<hex HMAC-SHA256 of the body>`, and
 * `X-Sluice-Delivery` carries the delivery id so a receiver can drop a repeat (delivery is at-least-once).
 */
import { createHmac } from 'node:crypto';
import { addressesOf, type ChannelConfig } from './channels';
import { webhookBody, type Message } from './messages';

export interface MailSettings {
  /** `smtp://user:password@host:587` (STARTTLS when offered) or `smtps://…:465`. */
  smtpUrl: string | null;
  from: string;
}

/** Thrown when a message could not be handed over; the delivery is retried. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
}

export const SIGNATURE_HEADER = 'x-sluice-signature';
export const DELIVERY_HEADER = 'x-sluice-delivery';

/** The signature header's value for `body` under `secret`. */
export function signatureOf(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export async function send(
  channel: ChannelConfig,
  message: Message,
  delivery: { id: number; rule: string },
  mail: MailSettings,
  timeoutMs = 15_000,
): Promise<void> {
  if (channel.kind === 'email') {
    if (!mail.smtpUrl) throw new DeliveryError('No SMTP server is set: set SLUICE_SMTP_URL (e.g. smtp://user:password@mail.example.org:587).');
    // Loaded here, not at the top: every worker and the web app import this module, few of them send mail.
    const { default: nodemailer } = await import('nodemailer');
    const transport = nodemailer.createTransport(mail.smtpUrl, { connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs });
    try {
      await transport.sendMail({
        from: mail.from,
        to: addressesOf(channel.target),
        subject: message.subject,
        text: message.text,
        headers: { 'X-Sluice-Delivery': String(delivery.id) },
      });
    } catch (err) {
      throw new DeliveryError(`SMTP: ${(err as Error).message}`, { cause: err });
    } finally {
      transport.close();
    }
    return;
  }
  const body = JSON.stringify(webhookBody(channel.kind, message, { ...delivery, channel: channel.name }));
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Sluice-Notifier', [DELIVERY_HEADER]: String(delivery.id) };
  if (channel.kind === 'webhook' && channel.secret) headers[SIGNATURE_HEADER] = signatureOf(body, channel.secret);
  let response: Response;
  try {
    response = await fetch(channel.target, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    // The URL may hold a token (Slack, Teams): name the host only.
    throw new DeliveryError(`POST to ${new URL(channel.target).host} failed: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`, { cause: err });
  }
  if (!response.ok) {
    const text = (await response.text().catch(() => '')).slice(0, 200);
    throw new DeliveryError(`POST to ${new URL(channel.target).host} answered ${response.status}${text ? `: ${text}` : ''}`);
  }
  await response.body?.cancel().catch(() => undefined);
}
