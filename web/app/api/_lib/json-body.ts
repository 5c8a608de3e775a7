/**
 * Reads a request body the HTTP API accepts: JSON only, sent as `Content-Type: application/json`, at most
 * MAX_BODY_BYTES, nested at most MAX_BODY_DEPTH deep. Everything else is refused before anything happens.
 *
 * The type is demanded of every caller, token or session: a page on another site can make a browser send
 * the session cookie with a form (text/plain, urlencoded, multipart) but never with application/json, so
 * this is what keeps a cross-site form from starting runs. One rule for all callers keeps it simple.
 */
import { apiError } from '@/lib/auth/api-error';
import { readBodyAtMost } from '@/lib/read-body';

/** The largest body read, in bytes: a run's parameters are small, and Temporal refuses payloads over 2 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** How deeply arrays and objects may nest in a body; deeper structures are refused before they are parsed. */
export const MAX_BODY_DEPTH = 32;

const EXAMPLE = '{"flow": "rainfall", "parameters": {}}';

export type JsonBody = { ok: true; value: unknown } | { ok: false; response: Response };

const refuse = (response: Response): JsonBody => ({ ok: false, response });

export async function readJsonBody(req: Request): Promise<JsonBody> {
  const contentType = req.headers.get('content-type');
  const [mediaType, ...params] = (contentType ?? '').split(';').map((p) => p.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
  if (mediaType !== 'application/json' || (charset && charset !== 'utf-8')) {
    const got = contentType ? `Content-Type: ${contentType.slice(0, 100)}` : 'no Content-Type';
    return refuse(apiError('unsupported_media_type', `The request body must be JSON sent with Content-Type: application/json (this request had ${got}).`));
  }
  const tooLarge = () =>
    refuse(apiError('payload_too_large', `The request body is larger than ${MAX_BODY_BYTES} bytes (1 MiB), the most this API reads. Pass large inputs by reference (a URL or a path), not in the parameters.`));
  let bytes: Uint8Array | null;
  try {
    bytes = await readBodyAtMost(req, MAX_BODY_BYTES);
  } catch {
    return refuse(apiError('bad_request', 'The request body could not be read to its end (the connection broke off); send it again.'));
  }
  if (bytes === null) return tooLarge();
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
