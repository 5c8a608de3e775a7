/**
 * The client's network address, for the per-address log-in limit. Next passes no socket address to route
 * handlers, only X-Forwarded-For, which it fills from the socket when the request has none — and keeps when
 * the client sent one, so any client could name itself anew with each guess. Hence:
 * - SLUICE_TRUST_PROXY unset (Sluice faces clients itself): the server replaces X-Forwarded-For (and
 *   X-Forwarded-Proto) of every request with what the socket says, before Next sees it.
 * - SLUICE_TRUST_PROXY=N (behind N reverse proxies, e.g. 1 for a TLS-terminating nginx or Traefik): the
 *   headers are the proxies' and the address is the N-th entry from the right of X-Forwarded-For (each
 *   proxy appends the address it saw; entries further left are the client's own claims).
 */
import { Server, type IncomingMessage } from 'node:http';

const INSTALLED = Symbol.for('sluice.web.forwardedFromSocket');

/**
 * Makes every HTTP server of this process overwrite X-Forwarded-For / -Proto from the socket on each
 * request. Next's own server (`next start`) is made inside Next, so this is the one place to reach it:
 * Server.prototype.emit('request') runs before any of Next's code sees the request.
 */
export function forwardedHeadersFromSocket(): void {
  const proto = Server.prototype as unknown as Record<symbol, unknown> & { emit: (event: string, ...args: unknown[]) => boolean };
  if (proto[INSTALLED]) return;
  const emit = proto.emit;
  proto.emit = function (this: Server, event: string, ...args: unknown[]) {
    if (event === 'request') {
      const req = args[0] as IncomingMessage;
      req.headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
      req.headers['x-forwarded-proto'] = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
    }
    return emit.call(this, event, ...args);
  };
  proto[INSTALLED] = true;
}

/** The client's address from X-Forwarded-For, `trustedProxies` entries from the right (0 counts as 1: the socket's). */
export function clientAddress(forwardedFor: string | null | undefined, trustedProxies: number): string | null {
  const entries = (forwardedFor ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const address = entries[entries.length - Math.max(1, trustedProxies)];
  if (!address) return null;
  // One client, one key: an IPv4 address written as IPv6 (::ffff:127.0.0.1) is that IPv4 address.
  return address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1').toLowerCase();
}
