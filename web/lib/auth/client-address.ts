/**
 * The client's network address, for the log-in limits (lockout.ts). Next passes route handlers no socket
 * address, only X-Forwarded-For, which it fills from the socket when the request has none and keeps when
 * the client sent one, so any client could name itself anew with each guess. Hence the address is decided
 * where the socket is still known, in the HTTP server's 'request' event before Next sees the request, and
 * written back as the only X-Forwarded-For entry. Which proxies are believed is SLUICE_TRUST_PROXY's:
 * - unset: none; the socket's address is the client's.
 * - addresses or networks (`10.0.0.5,fd00::/8`): a request from one of them is a proxy's, and the client is
 *   the first address, walking X-Forwarded-For from the right, that is not a listed proxy. A request from
 *   anywhere else is the client's own, whatever headers it carries.
 * - a hop count N (`1` behind one nginx or Traefik): the N-th address left of the socket. Each proxy
 *   appends the address it saw, so what stands further left is the client's own claim.
 * A request carrying X-Forwarded-For from a socket that is not believed is told of in the server log, once:
 * an undeclared proxy makes every user behind it share its address, and its log-in limits.
 */
import { BlockList, isIP } from 'node:net';
import { Server, type IncomingMessage } from 'node:http';

/** Which reverse proxies' X-Forwarded-For is believed (SLUICE_TRUST_PROXY); `{ hops: 0 }`: none. */
export type ProxyTrust = { hops: number } | { proxies: string[] };

/**
 * Parses SLUICE_TRUST_PROXY: unset/`false` none, a hop count (`true` is 1), or comma-separated addresses and
 * CIDR networks. Returns the error in words for a value it cannot use.
 *
 * @example parseProxyTrust('10.0.0.5, fd00::/8') // { proxies: ['10.0.0.5', 'fd00::/8'] }
 */
export function parseProxyTrust(text: string | undefined): ProxyTrust | { error: string } {
  const value = (text ?? '').trim();
  if (value === '' || value === 'false') return { hops: 0 };
  if (value === 'true') return { hops: 1 };
  if (/^\d{1,2}$/.test(value)) return { hops: Number(value) };
  const proxies = value.split(',').map((s) => s.trim());
  const wrong = proxies.filter((p) => !networkOf(p));
  if (wrong.length > 0) {
    return {
      error: `${wrong.map((w) => JSON.stringify(w)).join(', ')} ${wrong.length === 1 ? 'is' : 'are'} not an IP address or network: give the number of reverse proxies in front of Sluice (e.g. 1), or their addresses or networks, comma-separated (e.g. 10.0.0.5,fd00::/8)`,
    };
  }
  return { proxies };
}

/** `10.0.0.0/8` → its address, family and prefix; a bare address is a network of one. */
function networkOf(text: string): { address: string; family: 'ipv4' | 'ipv6'; prefix: number } | null {
  const [address = '', prefixText, ...more] = text.split('/');
  const version = isIP(address);
  if (version === 0 || more.length > 0) return null;
  const bits = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= bits)) return null;
  return { address, family: version === 4 ? 'ipv4' : 'ipv6', prefix };
}

const blockLists = new Map<string, BlockList>();

function blockListOf(proxies: string[]): BlockList {
  const known = blockLists.get(proxies.join(','));
  if (known) return known;
  const list = new BlockList();
  for (const proxy of proxies) {
    const { address, family, prefix } = networkOf(proxy)!;
    list.addSubnet(address, prefix, family);
  }
  blockLists.set(proxies.join(','), list);
  return list;
}

/** The eight 16-bit groups of a valid IPv6 address (a trailing dotted IPv4 part included). */
function hextets(ipv6: string): number[] {
  let text = ipv6;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((g) => parseInt(g, 16));
}

/**
 * One address in one spelling, or null when `text` is none: ports, brackets and zones dropped, IPv6
 * lowercased and shortened, an IPv4 address written as IPv6 (`::ffff:127.0.0.1`) given as IPv4.
 */
export function normalizeAddress(text: string): string | null {
  let address = text.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  address = address.replace(/%.*$/, '');
  const version = isIP(address);
  if (version === 4) return address;
  if (version !== 6) return null;
  const groups = hextets(address);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.');
  }
  // The URL parser writes IPv6 hosts in their canonical, shortest form.
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

/**
 * The key the log-in limits count under: an IPv4 address as it is, an IPv6 address by its /64 — one
 * subscriber's network gets a whole /64 (and often more), so counting single IPv6 addresses would give an
 * attacker 2^64 fresh counters. Anything else counts as one shared 'unknown'.
 *
 * @example addressGroup('2001:db8:1:2:aaaa::5') // '2001:db8:1:2::/64'
 */
export function addressGroup(address: string | null | undefined): string {
  const normalized = normalizeAddress(address ?? '');
  if (normalized === null) return 'unknown';
  if (isIP(normalized) === 4) return normalized;
  const prefix = hextets(normalized).slice(0, 4);
  return `${normalizeAddress(`${prefix.map((g) => g.toString(16)).join(':')}::`)}/64`;
}

export interface ClientAddress {
  /** The client's address, normalized. */
  address: string;
  /** Whether a believed proxy passed the request on (then its X-Forwarded-Proto is believed too). */
  viaProxy: boolean;
  /** Whether the request carried X-Forwarded-For that was not believed. */
  ignoredForwarded: boolean;
}

/**
 * Who sent a request, from its socket's address and X-Forwarded-For, under `trust`. Entries that are not
 * addresses are skipped, so the answer is always an address (at worst the socket's).
 */
export function clientAddress(socket: string, forwardedFor: string | undefined, trust: ProxyTrust): ClientAddress {
  const peer = normalizeAddress(socket) ?? 'unknown';
  const claimed = (forwardedFor ?? '').split(',').map(normalizeAddress).filter((a): a is string => a !== null);
  const ignored = { address: peer, viaProxy: false, ignoredForwarded: (forwardedFor ?? '').trim() !== '' };
  if ('hops' in trust) {
    if (trust.hops === 0) return ignored;
    // The chain as the nearest proxy hands it on: every hop's address, the socket's last.
    const chain = [...claimed, peer];
    return { address: chain[Math.max(0, chain.length - 1 - trust.hops)]!, viaProxy: true, ignoredForwarded: false };
  }
  const proxies = blockListOf(trust.proxies);
  const isProxy = (a: string) => isIP(a) !== 0 && proxies.check(a, isIP(a) === 4 ? 'ipv4' : 'ipv6');
  if (!isProxy(peer)) return ignored;
  let address = peer;
  for (let i = claimed.length - 1; i >= 0 && isProxy(address); i--) address = claimed[i]!;
  return { address, viaProxy: true, ignoredForwarded: false };
}

const INSTALLED = Symbol.for('sluice.web.forwardedHeaders');

/**
 * Makes every HTTP server of this process decide, on each request, X-Forwarded-For (the client's address
 * alone) and, unless a believed proxy sent them, X-Forwarded-Proto (from the socket) and X-Forwarded-Host
 * (dropped: the Host header stands). Next's own server (`next start`) is made inside Next, so this is the
 * one place to reach it: Server.prototype.emit('request') runs before any of Next's code sees the request.
 */
export function decideForwardedHeaders(trust: ProxyTrust, warn: (message: string) => void = console.warn): void {
  const proto = Server.prototype as unknown as Record<symbol, unknown> & { emit: (event: string, ...args: unknown[]) => boolean };
  if (proto[INSTALLED]) return;
  const emit = proto.emit;
  let warned = false;
  proto.emit = function (this: Server, event: string, ...args: unknown[]) {
    if (event === 'request') {
      const req = args[0] as IncomingMessage;
      const forwardedFor = req.headers['x-forwarded-for'];
      const client = clientAddress(req.socket.remoteAddress ?? '', Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor, trust);
      req.headers['x-forwarded-for'] = client.address;
      if (!client.viaProxy) {
        req.headers['x-forwarded-proto'] = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
        delete req.headers['x-forwarded-host'];
      }
      if (client.ignoredForwarded && !warned) {
        warned = true;
        warn(ignoredProxyMessage(client.address, trust));
      }
    }
    return emit.call(this, event, ...args);
  };
  proto[INSTALLED] = true;
}

function ignoredProxyMessage(peer: string, trust: ProxyTrust): string {
  const setting = 'proxies' in trust ? `SLUICE_TRUST_PROXY (${trust.proxies.join(',')}) does not list ${peer}` : 'SLUICE_TRUST_PROXY is not set';
  return (
    `[sluice] A request from ${peer} carried X-Forwarded-For, and it was ignored: ${setting}. ` +
    `If ${peer} is your reverse proxy, add it to SLUICE_TRUST_PROXY; until then every user behind it counts as ${peer} ` +
    `for the log-in limits, and shares them. (If no proxy stands in front of Sluice, a client sent the header: nothing to do.) ` +
    `This is said once.`
  );
}
