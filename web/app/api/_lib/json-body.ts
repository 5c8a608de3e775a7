/**
 * Reads a request body the HTTP API accepts: JSON only, sent as `Content-Type: application/json`, at most
 * MAX_BODY_BYTES, nested at most MAX_BODY_DEPTH deep. Everything else is refused before anything happens.
 *
 * The type is demanded of every caller, token or session: a page on another site can make a browser send
 * the session cookie with a form (text/plain, urlencoded, multipart) but never with application/json, so
 * this is what keeps a cross-site form from starting runs. One rule for all callers keeps it simple.
 */
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { apiError } from '@/lib/auth/api-error';
import { readBodyAtMost } from '@/lib/read-body';

const gunzipAsync = promisify(gunzip);

/** The largest body read, in bytes: a run's parameters are small, and Temporal refuses payloads over 2 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** How deeply arrays and objects may nest in a body; deeper structures are refused before they are parsed. */
export const MAX_BODY_DEPTH = 32;

const EXAMPLE = '{"flow": "rainfall", "parameters": {}}';

export type JsonBody = { ok: true; value: unknown } | { ok: false; response: Response };

const refuse = (response: Response): JsonBody => ({ ok: false, response });

export interface JsonBodyOptions {
  /** Most bytes read, and (gzip) most bytes once decompressed; default MAX_BODY_BYTES. */
  maxBytes?: number;
  /** Accept `Content-Encoding: gzip` (the worker API's log batches); otherwise only an uncompressed body. */
  gzip?: boolean;
}

export async function readJsonBody(req: Request, options: JsonBodyOptions = {}): Promise<JsonBody> {
  const maxBytes = options.maxBytes ?? MAX_BODY_BYTES;
  const contentType = req.headers.get('content-type');
  const [mediaType, ...params] = (contentType ?? '').split(';').map((p) => p.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
  if (mediaType !== 'application/json' || (charset && charset !== 'utf-8')) {
    const got = contentType ? `Content-Type: ${contentType.slice(0, 100)}` : 'no Content-Type';
    return refuse(apiError('unsupported_media_type', `The request body must be JSON sent with Content-Type: application/json (this request had ${got}).`));
  }
  const encoding = (req.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && !(options.gzip && encoding === 'gzip')) {
    return refuse(apiError('unsupported_media_type', `Content-Encoding: ${encoding.slice(0, 50)} is not accepted here; send the body ${options.gzip ? 'uncompressed or gzip-compressed' : 'uncompressed'}.`));
  }
  const tooLarge = () =>
    refuse(
      apiError(
        'payload_too_large',
        maxBytes === MAX_BODY_BYTES
          ? `The request body is larger than ${MAX_BODY_BYTES} bytes (1 MiB), the most this API reads. Pass large inputs by reference (a URL or a path), not in the parameters.`
          : `The request body is larger than ${maxBytes} bytes${encoding === 'gzip' ? ' once decompressed' : ''}, the most this route reads; send it in smaller parts.`,
      ),
    );
  let bytes: Uint8Array | null;
  try {
    bytes = await readBodyAtMost(req, maxBytes);
  } catch {
    return refuse(apiError('bad_request', 'The request body could not be read to its end (the connection broke off); send it again.'));
  }
  if (bytes === null) return tooLarge();
  if (encoding === 'gzip') {
    try {
      // Bounded as it inflates: a small body that expands past the limit (a "zip bomb") stops there.
      bytes = await gunzipAsync(bytes, { maxOutputLength: maxBytes });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge();
      return refuse(apiError('bad_request', 'The request body is sent with Content-Encoding: gzip but is not valid gzip data.'));
    }
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return refuse(apiError('bad_request', 'The request body is not valid UTF-8 text; send JSON encoded as UTF-8.'));
  }
  const depth = nestingDepth(text);
  if (depth > MAX_BODY_DEPTH) {
    return refuse(apiError('bad_request', `The request body nests arrays and objects ${depth > 10_000 ? 'over 10000' : depth} levels deep; at most ${MAX_BODY_DEPTH} are allowed.`));
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    const reason = text.trim() === '' ? 'the body is empty' : (err as Error).message.slice(0, 200);
    return refuse(apiError('bad_request', `The request body must be JSON, e.g. ${EXAMPLE}: ${reason}.`));
  }
}

/**
 * The deepest nesting of arrays and objects in JSON text, counted without parsing (brackets inside strings do
 * not count), so a deep body is refused before the parser, the schema check or Temporal's encoder recurse on it.
 * Stops counting at 10001.
 */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest && (deepest = depth) > 10_000) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}
