/**
 * Times page requests as the server answers them: time to the first byte of the body (the pages stream: the
 * first byte is the frame and loading skeleton) and time to the last byte (the page with its data), and size.
 */
import http from 'node:http';
import { spread, type Spread } from './percentiles';

export interface Timing {
  status: number;
  /** Request sent → first body byte (ms). */
  ttfbMs: number;
  /** Request sent → last body byte (ms). */
  totalMs: number;
  bytes: number;
  body: string;
}

/** One GET with a Cookie header; a fresh connection each time, as a browser opening the page would have. */
export function timedGet(url: string, cookie: string): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.get(url, { headers: { cookie, accept: 'text/html' }, agent: false }, (res) => {
      let ttfbMs = -1;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        if (ttfbMs < 0) ttfbMs = performance.now() - t0;
        chunks.push(chunk);
      });
      res.on('end', () => {
        const totalMs = performance.now() - t0;
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, ttfbMs: ttfbMs < 0 ? totalMs : ttfbMs, totalMs, bytes: body.length, body: body.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(60_000, () => req.destroy(new Error(`GET ${url} took more than 60 s`)));
  });
}

export interface PageTimings {
  ttfb: Spread;
  total: Spread;
  bytes: Spread;
}

/**
 * `warmup` requests not counted, then `samples` in a row. Each answer must be a 200 that `check` accepts (the
 * page with its data, not an error or log-in page), else this throws: a fast error page is no measurement.
 */
export async function samplePage(url: string, cookie: string, o: { warmup: number; samples: number; check: (body: string) => boolean }): Promise<PageTimings> {
  const ttfb: number[] = [];
  const total: number[] = [];
  const bytes: number[] = [];
  for (let i = 0; i < o.warmup + o.samples; i++) {
    const t = await timedGet(url, cookie);
    if (t.status !== 200 || !o.check(t.body)) {
      throw new Error(`GET ${url} answered ${t.status} without the expected content; its first 600 characters:\n${t.body.slice(0, 600)}`);
    }
    if (i < o.warmup) continue;
    ttfb.push(t.ttfbMs);
    total.push(t.totalMs);
    bytes.push(t.bytes);
  }
  return { ttfb: spread(ttfb), total: spread(total), bytes: spread(bytes) };
}
