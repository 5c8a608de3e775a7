/**
 * The HTTP API's error answer: `{ error: { code, message, issues? } }` with the matching status.
 * Never a stack trace: the message is written for the caller.
 */
import { HTTP_STATUS, type ErrorKind } from 'sluice/internal/errors';

/** The API's `error.code` values: the kinds of sluice/errors (HTTP_STATUS gives their statuses; docs/errors.md lists them). */
export type ApiErrorCode = ErrorKind;

export interface ApiIssue {
  path: string;
  message: string;
}

/** @example return apiError('not_found', `There is no run ${id}.`); */
export function apiError(code: ApiErrorCode, message: string, issues?: ApiIssue[]): Response {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  // RFC 9110: a 401 names how to authenticate.
  if (code === 'unauthorized') headers['www-authenticate'] = 'Bearer realm="sluice"';
  return Response.json({ error: { code, message, ...(issues ? { issues } : {}) } }, { status: HTTP_STATUS[code], headers });
}
