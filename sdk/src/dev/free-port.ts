import { connect, createServer } from 'node:net';

/**
 * A TCP port that is free on `host` right now (the OS picks it). Another process may take it before
 * the caller binds it, so callers that can retry on "address in use" should.
 *
 * @example const port = await freePort();
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error(`freePort: no port assigned on ${host}`))));
    });
  });
}

/**
 * Whether `port` can be bound on `host` right now, to fail early with a clear message.
 *
 * @example if (!(await isPortFree(7233))) throw new Error('port 7233 is taken');
 */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Resolves once something accepts TCP connections on `host:port`, or rejects after `timeoutMs`
 * or as soon as `gaveUp()` returns true (the process meant to listen died).
 *
 * @example await waitForPort(3000, { timeoutMs: 120_000 });
 */
export async function waitForPort(
  port: number,
  { host = '127.0.0.1', timeoutMs = 60_000, gaveUp = () => false }: { host?: string; timeoutMs?: number; gaveUp?: () => boolean } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gaveUp()) throw new Error(`gave up waiting for ${host}:${port}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs / 1000} s`);
}
