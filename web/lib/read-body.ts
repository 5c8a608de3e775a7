/**
 * The one way the web app reads a body — a request's, or an answer from the Temporal UI server — into memory:
 * at most `limit` bytes. A declared Content-Length over the limit is refused before anything is read; otherwise
 * the bytes are counted as they stream in and reading stops at the first chunk past the limit, so a chunked
 * body (which declares no length) is never held whole. Never request.json(), .text(), .arrayBuffer() or
 * .formData(): those read everything first.
 *
 * Next reads a request body once before any route runs (to hand a copy to proxy.ts), holding at most
 * `experimental.proxyClientMaxBodySize` of it (next.config.mjs): that setting is above every limit here, so a
 * body past a route's limit still arrives past it and is refused, never cut short to look complete.
 */

/** The largest body any route reads (the Temporal UI server's forwarded calls); next.config.mjs keeps Next's copy above it. */
export const LARGEST_BODY_LIMIT = 4 * 1024 * 1024;

/**
 * The body's bytes, or null when it is larger than `limit` (then at most one chunk past the limit was read).
 * Throws when the body breaks off before its end.
 *
 * @example const bytes = await readBodyAtMost(req, 64 * 1024); if (bytes === null) return apiError('payload_too_large', …);
 */
export async function readBodyAtMost(message: Request | Response, limit: number): Promise<Uint8Array | null> {
  const declared = Number(message.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await message.body?.cancel().catch(() => undefined);
    return null;
  }
  if (!message.body) return new Uint8Array();
  const reader = message.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
