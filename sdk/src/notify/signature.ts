// The webhook signature, on its own so that a receiver (through `sluice/client`) loads no notifier code.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-sluice-signature';

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
