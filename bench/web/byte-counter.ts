/**
 * A TCP proxy between the web app and Temporal that counts the bytes each way, so "data read from Temporal" is
 * what crossed the wire (gRPC framing, HTTP/2 headers and all), not an estimate from message sizes.
 */
import net from 'node:net';

export interface ByteCounter {
  /** host:port the web app connects to instead of Temporal's. */
  address: string;
  /** Bytes from Temporal to its clients, and from its clients to Temporal, so far. */
  readonly fromTemporal: number;
  readonly toTemporal: number;
  stop(): Promise<void>;
}

export async function startByteCounter(upstream: string): Promise<ByteCounter> {
  const [host, port] = [upstream.slice(0, upstream.lastIndexOf(':')), Number(upstream.slice(upstream.lastIndexOf(':') + 1))];
  const counts = { fromTemporal: 0, toTemporal: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const server = net.connect(port, host);
    for (const s of [client, server]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        server.destroy();
      });
    }
    client.on('data', (d) => (counts.toTemporal += d.length));
    server.on('data', (d) => (counts.fromTemporal += d.length));
    client.pipe(server);
    server.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: own } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${own}`,
    get fromTemporal() {
      return counts.fromTemporal;
    },
    get toTemporal() {
      return counts.toTemporal;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
