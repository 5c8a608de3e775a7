/**
 * `sluice/internal/compat`, for the Sluice web app and workers (no semver): which Sluice versions work
 * together. The web app owns the store and its schema; workers talk to it (the worker API) and may be one
 * minor version older than it, never newer. A worker declares what it is on every worker API call (the
 * `Sluice-Worker` header); the server judges it by protocol, and `GET /api/worker/v1/hello` lets a worker
 * learn at start-up, before it serves anything, whether it is welcome.
 */
import { helloAnswer, errorResponse, type HelloAnswer } from './worker-api/wire';
import { SLUICE_VERSION } from './version';
import { SluiceError } from './errors';

export { SLUICE_VERSION } from './version';
export { helloAnswer, type HelloAnswer } from './worker-api/wire';

/**
 * The worker protocols this version serves: `current` is the one it speaks; `oldest` the oldest it still
 * accepts. Raise `current` when the worker API changes in a way an older server cannot serve; raise `oldest`
 * only to a protocol the previous minor version already spoke, so that version's workers keep working.
 */
export const WORKER_PROTOCOL = { current: 1, oldest: 1 } as const;

/** The first Sluice version that speaks each protocol: what a refused worker must be rebuilt with. */
const FIRST_VERSION_OF_PROTOCOL: Record<number, string> = { 1: '0.3.0' };

/** The header a worker sends on every worker API call: `Sluice-Worker: 0.3.0; protocol=1`. */
export const WORKER_HEADER = 'Sluice-Worker';

/** The header's form (also the OpenAPI document's pattern for it): `VERSION; protocol=N`. */
export const WORKER_HEADER_PATTERN = /^\s*([0-9A-Za-z][0-9A-Za-z.+-]{0,63})\s*;\s*protocol\s*=\s*([0-9]{1,6})\s*$/;

export interface WorkerDeclaration {
  /** The worker's Sluice package version (what it was built with). */
  version: string;
  protocol: number;
}

/** This process's declaration, as the `Sluice-Worker` header's value. */
export function workerHeaderValue(declaration: WorkerDeclaration = { version: SLUICE_VERSION, protocol: WORKER_PROTOCOL.current }): string {
  return `${declaration.version}; protocol=${declaration.protocol}`;
}

export type WorkerJudgement =
  | { ok: true; worker: WorkerDeclaration }
  | { ok: false; code: 'bad_request' | 'incompatible_worker'; message: string };

/**
 * The server's verdict on a worker from its `Sluice-Worker` header (null: none sent): welcome when its protocol is
 * within `oldest`…`current`; otherwise a message naming both versions and what to do.
 */
export function judgeWorker(header: string | null, server: { version: string; protocol: { current: number; oldest: number } } = { version: SLUICE_VERSION, protocol: WORKER_PROTOCOL }): WorkerJudgement {
  const example = workerHeaderValue();
  if (header === null) {
    return { ok: false, code: 'bad_request', message: `The worker API needs a ${WORKER_HEADER} header saying the worker's version and protocol, e.g. "${WORKER_HEADER}: ${example}".` };
  }
  const match = WORKER_HEADER_PATTERN.exec(header);
  if (!match) {
    return { ok: false, code: 'bad_request', message: `The ${WORKER_HEADER} header "${header.slice(0, 100)}" is not "VERSION; protocol=N", e.g. "${example}".` };
  }
  const worker = { version: match[1]!, protocol: Number(match[2]) };
  const { current, oldest } = server.protocol;
  const serves = oldest === current ? `protocol ${current}` : `protocols ${oldest} to ${current}`;
  const it = `This worker (sluice ${worker.version}, protocol ${worker.protocol})`;
  const us = `this Sluice web app (sluice ${server.version}, which serves ${serves})`;
  if (worker.protocol < oldest) {
    const since = FIRST_VERSION_OF_PROTOCOL[oldest];
    return {
      ok: false,
      code: 'incompatible_worker',
      message: `${it} is too old for ${us}. Rebuild the worker's repository with sluice >= ${since ?? server.version} (npm install sluice@^${since ?? server.version}) and deploy it again.`,
    };
  }
  if (worker.protocol > current) {
    return {
      ok: false,
      code: 'incompatible_worker',
      message: `${it} is newer than ${us}. Upgrade the web app first (it migrates the store), then the workers; or build this worker with sluice ${server.version}.`,
    };
  }
  return { ok: true, worker };
}

/** Thrown by `checkServer` when the web app and this worker cannot work together, or the web app cannot be asked. */
export class ServerCheckError extends SluiceError {
  static override readonly code = 'server_check_failed';

  override name = 'ServerCheckError';
}

export interface CheckServerOptions {
  /** The web app's base URL (SLUICE_URL). */
  url: string;
  /** The worker's token (SLUICE_WORKER_TOKEN). */
  token: string;
  /** What this worker declares; default this package's version and current protocol. */
  declaration?: WorkerDeclaration;
  /** How long to keep asking while the web app does not answer or says 503 (it may be starting); default 60 s. */
  waitMs?: number;
}

/**
 * The worker's start-up handshake: `GET /api/worker/v1/hello` with its declaration. Resolves with the server's
 * answer when they can work together; throws `ServerCheckError` with a message to print (the worker exits 1) when
 * the server refuses this worker's version, the token, or has no worker API (a web app older than 0.3.0).
 *
 * @example const hello = await checkServer({ url: env.SLUICE_URL, token: env.SLUICE_WORKER_TOKEN });
 */
export async function checkServer(options: CheckServerOptions): Promise<HelloAnswer> {
  const base = options.url.replace(/\/+$/, '');
  const url = `${base}/api/worker/v1/hello`;
  const declaration = options.declaration ?? { version: SLUICE_VERSION, protocol: WORKER_PROTOCOL.current };
  const headers = { authorization: `Bearer ${options.token}`, [WORKER_HEADER]: workerHeaderValue(declaration), accept: 'application/json' };
  const deadline = Date.now() + (options.waitMs ?? 60_000);
  for (let attempt = 1; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
    } catch (err) {
      if (Date.now() < deadline) {
        await pause(attempt);
        continue;
      }
      throw new ServerCheckError(`Cannot reach the Sluice web app at ${base} (${(err as Error).message}). Is it running, and is SLUICE_URL right?`, { cause: err });
    }
    if (res.status === 503 && Date.now() < deadline) {
      await pause(attempt);
      continue;
    }
    return judgeAnswer(res, base, declaration);
  }
}

async function judgeAnswer(res: Response, base: string, declaration: WorkerDeclaration): Promise<HelloAnswer> {
  const body: unknown = await res.json().catch(() => undefined);
  if (res.ok) {
    const hello = helloAnswer.safeParse(body);
    if (!hello.success) throw new ServerCheckError(`The Sluice web app at ${base} answered the worker's hello with something else than a hello; is SLUICE_URL the web app?`);
    // The server judged the header already; checking again here keeps a server that did not (or a proxy) honest.
    const verdict = judgeWorker(workerHeaderValue(declaration), { version: hello.data.server.version, protocol: hello.data.protocol });
    if (!verdict.ok) throw new ServerCheckError(`The Sluice web app at ${base} cannot serve this worker: ${verdict.message}`);
    return hello.data;
  }
  const refusal = errorResponse.safeParse(body);
  const said = refusal.success ? refusal.data.error.message : `HTTP ${res.status}`;
  if (res.status === 404) {
    throw new ServerCheckError(
      `The Sluice web app at ${base} has no worker API (GET /api/worker/v1/hello: 404): it is older than sluice ${FIRST_VERSION_OF_PROTOCOL[1]}, and this worker is sluice ${declaration.version}. Upgrade the web app first, then the workers.`,
    );
  }
  if (res.status === 401 || res.status === 403) throw new ServerCheckError(`The Sluice web app at ${base} refused this worker's token: ${said} Check SLUICE_WORKER_TOKEN.`);
  if (refusal.success && refusal.data.error.code === 'incompatible_worker') throw new ServerCheckError(`The Sluice web app at ${base} refused this worker: ${said}`);
  throw new ServerCheckError(`The Sluice web app at ${base} did not answer the worker's hello (HTTP ${res.status}): ${said}`);
}

/** 1, 2, 4, 5, 5 … seconds between tries. */
function pause(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 500 * 2 ** attempt)));
}
