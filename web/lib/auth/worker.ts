/**
 * The one check every worker API route (web/app/api/worker/v1/…) makes: the caller is a worker — an API token
 * sent as `Authorization: Bearer`, never a log-in session — and declares a version this server serves (the
 * `Sluice-Worker` header, judged by sluice/compat).
 */
import 'server-only';
import { judgeWorker, WORKER_HEADER, type WorkerDeclaration } from 'sluice/compat';
import { getStore } from '../sluice.server';
import { apiError } from './api-error';
import type { Role } from './roles';
import { lookUpApiToken } from './tokens';

export interface WorkerCaller {
  token: { id: number; name: string; role: Role };
  /** What the worker declared: its Sluice version and worker protocol. */
  worker: WorkerDeclaration;
}

/**
 * Which tokens may act as a worker. Every valid API token for now: the `worker` role (a token scoped to task
 * queues) is added with the worker API's routes, and narrows this to that role.
 */
function mayActAsWorker(_role: Role): boolean {
  return true;
}

/**
 * The worker calling, or the Response to return: 401 without a valid token, 403 for a token that may not act as a
 * worker, 400 without a well-formed `Sluice-Worker` header, 409 (`incompatible_worker`) for a worker whose protocol
 * this server does not serve, naming both versions. Throws when the store does not answer: call it inside `answer`.
 *
 * @example
 * return answer('say hello', async () => {
 *   const caller = await requireWorker(req);
 *   if (caller instanceof Response) return caller;
 *   …
 * });
 */
export async function requireWorker(req: Request): Promise<WorkerCaller | Response> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.get('authorization') ?? '');
  if (!match) return apiError('unauthorized', 'The worker API needs a worker token: Authorization: Bearer slc_… (SLUICE_WORKER_TOKEN of the worker).');
  const found = await lookUpApiToken((await getStore()).db, match[1]!);
  if ('refused' in found) return apiError('unauthorized', found.refused);
  const { token } = found;
  if (!mayActAsWorker(token.role)) return apiError('forbidden', `The token ${token.name} is not a worker token. Ask an admin for one.`);
  const verdict = judgeWorker(req.headers.get(WORKER_HEADER));
  if (!verdict.ok) return apiError(verdict.code, verdict.message);
  return { token: { id: token.id, name: token.name, role: token.role }, worker: verdict.worker };
}
