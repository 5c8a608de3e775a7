/**
 * Real receivers on loopback for the notification tests: an SMTP server (smtp-server) that keeps every
 * message, and an HTTP server that keeps every POST, can go down (port closed) and come back, and can answer
 * otherwise (a redirect, an error, or not at all).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  user: string | undefined;
  /** The whole message, quoted-printable soft breaks and escapes undone (enough for `includes`). */
  raw: string;
}

/** An SMTP server that requires AUTH PLAIN as `user`/`password` (without TLS: loopback only). */
export async function startSmtpReceiver(user = 'sluice', password = 'smtp-secret') {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) callback(null, { user });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8').replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    mails,
    url: `smtp://${user}:${password}@127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface ReceivedPost {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
}

/** How a receiver answers: 200 by default; a status and headers (e.g. a redirect); or `hang`, never answering. */
export type Answer = { status: number; headers?: Record<string, string> } | 'hang';

/**
 * An HTTP receiver on 127.0.0.1 keeping every POST (and the method and path of every request, in `requests`);
 * `down()` closes its port, `up()` opens the same port again.
 */
export async function startHttpReceiver(answer: () => Answer = () => ({ status: 200 })) {
  const posts: ReceivedPost[] = [];
  const requests: { method: string; path: string }[] = [];
  let server: Server | undefined;
  let port = 0;
  const up = async () => {
    server = createServer((req, res) => {
      requests.push({ method: req.method ?? '', path: req.url ?? '/' });
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (req.method === 'POST') posts.push({ path: req.url ?? '/', headers: req.headers, body, json: JSON.parse(body) });
        const a = answer();
        if (a === 'hang') return;
        res.writeHead(a.status, { 'content-type': 'text/plain', ...a.headers }).end('ok');
      });
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  };
  const down = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await up();
  return { posts, requests, port: () => port, url: (path = '/hook') => `http://127.0.0.1:${port}${path}`, up, down, close: down };
}
