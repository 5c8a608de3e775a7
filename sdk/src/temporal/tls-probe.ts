/**
 * A TLS handshake with Node's own TLS, made only after a connection to Temporal failed, to say why: the gRPC
 * client reports a refused client certificate or an untrusted server as "Failed to connect before the
 * deadline", while OpenSSL names it ("tlsv13 alert certificate required", "unable to verify the first
 * certificate"). Sends nothing but the handshake.
 */
import { isIP } from 'node:net';
import tls from 'node:tls';
import type { TemporalConnectionOptions } from './connection';

/** What the handshake showed: `failed` with OpenSSL's reason, `ok`, or `unreachable` (no TCP connection). */
export type TlsProbe = { outcome: 'ok' } | { outcome: 'failed'; reason: string } | { outcome: 'unreachable' };

// After the handshake, TLS 1.3 servers send their verdict on the client's certificate: wait this long for it.
const VERDICT_MS = 1_000;

/**
 * Handshakes with `options.address` as the connection would (its CA, client certificate and server name), or,
 * with `options.tls` false, as any TLS client (`verify: false`) to learn whether the server speaks TLS at all.
 */
export function probeTls(options: TemporalConnectionOptions, timeoutMs = 5_000): Promise<TlsProbe> {
  const at = options.address.lastIndexOf(':');
  const host = options.address.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(options.address.slice(at + 1));
  const settings = options.tls || {};
  const servername = settings.serverNameOverride ?? (isIP(host) ? undefined : host);
  return new Promise((resolve) => {
    let connected = false;
    const socket = tls.connect({
      host,
      port,
      ALPNProtocols: ['h2'],
      ...(servername ? { servername } : {}),
      ...(settings.serverRootCACertificate ? { ca: Buffer.from(settings.serverRootCACertificate) } : {}),
      ...(settings.clientCertPair ? { cert: Buffer.from(settings.clientCertPair.crt), key: Buffer.from(settings.clientCertPair.key) } : {}),
      rejectUnauthorized: options.tls !== false,
    });
    let done = false;
    const finish = (result: TlsProbe) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish(connected ? { outcome: 'ok' } : { outcome: 'unreachable' }), timeoutMs);
    let secure = false;
    socket.once('connect', () => (connected = true));
    socket.once('secureConnect', () => {
      secure = true;
      setTimeout(() => finish({ outcome: 'ok' }), VERDICT_MS);
    });
    socket.on('data', () => {}); // read, so that an alert after the handshake arrives as an error
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (!connected) return finish({ outcome: 'unreachable' });
      const reason = openSslReason(err.message);
      // Any alert is TLS talking: to a plain client that is the answer to "does it speak TLS?".
      finish(options.tls === false && /alert/.test(reason) ? { outcome: 'ok' } : { outcome: 'failed', reason });
    });
    // Some servers hang up on a refused client certificate without an alert.
    socket.once('close', () => secure && finish({ outcome: 'failed', reason: 'the server closed the connection right after the handshake' }));
  });
}

/** "…:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:…" → "tlsv13 alert certificate required". */
function openSslReason(message: string): string {
  // Node's hint about --use-system-ca is for running Node, not for Sluice's settings.
  return /SSL routines:[^:]*:([^:]+):/.exec(message)?.[1] ?? message.replace(/; if the root CA is installed locally.*$/s, '').trim();
}
