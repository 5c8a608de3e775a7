/**
 * POSTs a webhook's body without the surprises of `fetch`: no redirect is followed (a 302 would turn the POST
 * into a GET to wherever it points), and the target's addresses are checked where the connection is made — so
 * a name that resolves to this host (loopback) or to a link-local address (169.254.169.254 is the cloud's
 * metadata service) is refused, unless the admin allows local targets (SLUICE_WEBHOOK_ALLOW_LOCAL=true).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { SluiceError } from '../errors';

/** Thrown when a webhook's target is refused or does not take the message; the delivery is retried. */
export class WebhookError extends SluiceError {
  static override readonly code = 'webhook_failed';

  override name = 'WebhookError';
}

/** Address ranges a webhook may not reach by default, by what they are. A BlockList also matches an IPv4 range's IPv6-mapped form (::ffff:127.0.0.1). */
const LOCAL: [kind: string, ranges: BlockList][] = [
  ['cloud metadata', ranges([['fd00:ec2::254', 128, 'ipv6']])], // AWS's metadata service over IPv6
  ['loopback', ranges([['127.0.0.0', 8, 'ipv4'], ['::1', 128, 'ipv6']])],
  ['link-local', ranges([['169.254.0.0', 16, 'ipv4'], ['fe80::', 10, 'ipv6']])], // 169.254.169.254: cloud metadata
  ['"this host"', ranges([['0.0.0.0', 8, 'ipv4'], ['::', 128, 'ipv6']])],
];

function ranges(list: [string, number, 'ipv4' | 'ipv6'][]): BlockList {
  const blocked = new BlockList();
  for (const [network, prefix, family] of list) blocked.addSubnet(network, prefix, family);
  return blocked;
}

/** What kind of local address `address` is (loopback, link-local, …), or null when a webhook may go there by default. */
export function localAddressKind(address: string): string | null {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  return LOCAL.find(([, blocked]) => blocked.check(address, family))?.[0] ?? null;
}

const refusal = (host: string, address: string, kind: string) =>
  new WebhookError(
    `${host} is ${address === host ? '' : `${address}, `}a ${kind} address: Sluice sends no webhook there unless an admin sets SLUICE_WEBHOOK_ALLOW_LOCAL=true`,
  );

/** A DNS lookup that fails when any address of the name is local: checked at connect time, so a name cannot change between check and use. */
function guardedLookup(host: string): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const bad = addresses.map((a) => [a.address, localAddressKind(a.address)] as const).find(([, kind]) => kind);
      if (bad) return callback(refusal(host, bad[0], bad[1]!), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

export interface PostOptions {
  timeoutMs: number;
  /** Loopback and link-local targets allowed (SLUICE_WEBHOOK_ALLOW_LOCAL). */
  allowLocal: boolean;
}

/**
 * POSTs `body` to `target`; resolves when it answers 2xx. Throws WebhookError naming the host only (the URL of
 * Slack or Teams holds a token) for a refused target, a redirect, another status, a network error or the timeout.
 */
export async function postWebhook(target: string, headers: Record<string, string>, body: string, options: PostOptions): Promise<void> {
  const url = new URL(target);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!options.allowLocal && isIP(host)) {
    const kind = localAddressKind(host);
    if (kind) throw refusal(host, host, kind);
  }
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      signal: AbortSignal.timeout(options.timeoutMs),
      ...(options.allowLocal ? {} : { lookup: guardedLookup(host) }),
    });
    req.once('response', resolve);
    req.once('error', (err) =>
      reject(
        err instanceof WebhookError
          ? err
          : new WebhookError(`POST to ${url.host} failed: ${err.name === 'AbortError' ? `no answer within ${options.timeoutMs / 1000} s` : err.message}`, { cause: err }),
      ),
    );
    req.end(body);
  });
  const text = await readSome(response, 200);
  const status = response.statusCode ?? 0;
  if (status >= 300 && status < 400) {
    const location = response.headers.location ? ` to ${new URL(response.headers.location, url).host}` : '';
    throw new WebhookError(`POST to ${url.host} answered ${status}, a redirect${location}: Sluice follows no redirect; give the channel the final URL`);
  }
  if (status < 200 || status >= 300) throw new WebhookError(`POST to ${url.host} answered ${status}${text ? `: ${text}` : ''}`);
}

/** The first `limit` characters of the answer (for the error), then the rest is dropped. */
async function readSome(response: IncomingMessage, limit: number): Promise<string> {
  let text = '';
  try {
    for await (const chunk of response) {
      if (text.length < limit) text += String(chunk);
    }
  } catch {
    // An answer cut short still has its status.
  }
  return text.slice(0, limit).trim();
}
