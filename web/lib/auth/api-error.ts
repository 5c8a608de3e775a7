/**
 * The HTTP API's error answer: `{ error: { code, message, issues? } }` with the matching status.
 * Never a stack trace: the message is written for the caller.
 */
export type ApiErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'invalid_parameters'
  | 'invalid_answer'
  | 'conflict'
  | 'incompatible_worker'
  | 'unavailable'
  | 'internal';

export interface ApiIssue {
  path: string;
  message: string;
}

const STATUS: Record<ApiErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid_parameters: 422,
  invalid_answer: 400,
  conflict: 409,
  // A worker whose protocol this server does not serve (sluice/compat): a conflict of versions, not of HTTP
  // protocols, which 426 Upgrade Required is for.
  incompatible_worker: 409,
  unavailable: 503,
  internal: 500,
};

/** @example return apiError('not_found', `There is no run ${id}.`); */
export function apiError(code: ApiErrorCode, message: string, issues?: ApiIssue[]): Response {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  // RFC 9110: a 401 names how to authenticate.
  if (code === 'unauthorized') headers['www-authenticate'] = 'Bearer realm="sluice"';
  return Response.json({ error: { code, message, ...(issues ? { issues } : {}) } }, { status: STATUS[code], headers });
}
