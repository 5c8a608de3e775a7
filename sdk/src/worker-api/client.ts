/**
 * The Node worker's side of the worker API (remote mode: SLUICE_URL + SLUICE_WORKER_TOKEN). It is the LogSink
 * the log shipper writes to and publishes and reads the queue's catalog, as the store does in direct mode, but
 * over HTTP with a worker token instead of the database's credential.
 *
 * A failed write throws, and the shipper retries the same batch as it does while the store is down: a 503,
 * a connection error or a timeout are outages. Lines the server refuses for good (a run outside the token's
 * task queues) are dropped with a warning, not retried forever, or they would hold up every later line.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { z } from 'zod';
import { WORKER_HEADER, workerHeaderValue } from '../compat';
import type { DeclaredRule } from '../notify/rules';
import type { LogSink } from '../store/log-shipper';
import type { FlowEntry, LogRecord, ProgressRecord, TaskEntry } from '../store/types';
import type { TakeOver } from '../worker/flow-names';
import { errorResponse, flowsResponse, logsResponse, publishFlowsResponse, replayFindingsResponse, tasksResponse, WORKER_API_PATH, type PublishFlowsRequest, type ReplayFindingsRequest } from './wire';
import { SluiceError } from '../errors';

const gzipAsync = promisify(gzip);
const TIMEOUT_MS = 30_000;
/** How long a starting worker waits for the web app (compose starts both at once; the web app migrates first). */
export const STARTUP_WAIT_MS = 10 * 60_000;

/** What the server answered when it refused a request (4xx/5xx), or why nothing answered (status 0). */
export class WorkerApiError extends SluiceError {
  static override readonly code = 'worker_api_refused';
  override name = 'WorkerApiError';
  constructor(
    message: string,
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    /** The server's `error.code` ('unreachable' when nothing answered, 'bad_answer' for a body Sluice cannot read). */
    readonly answerCode: string,
    readonly runs: { workflowId: string; runId: string }[] = [],
  ) {
    super(message);
  }
}

export interface WorkerApiClientOptions {
  /** Told about lines dropped because the server refuses them for good (default console.warn). */
  warn?: (message: string) => void;
  /** Per request (default 30 s). */
  timeoutMs?: number;
  /**
   * How long the start-up calls (publish, the queue's catalog) wait for a web app that is not up yet or answers
   * 503 (default 10 minutes: `npm start` builds it while the worker starts; compose starts both at once).
   */
  startupWaitMs?: number;
}

export class WorkerApiClient implements LogSink {
  readonly #base: string;
  readonly #token: string;
  readonly #warn: (message: string) => void;
  readonly #timeoutMs: number;
  readonly #startupWaitMs: number;
  /** Lines already accepted, should the shipper send a batch again after a later part of it failed. */
  #written = new WeakSet<LogRecord>();

  /** @example new WorkerApiClient('http://web:3000', process.env.SLUICE_WORKER_TOKEN!) */
  constructor(baseUrl: string, token: string, options: WorkerApiClientOptions = {}) {
    this.#base = baseUrl.replace(/\/+$/, '') + WORKER_API_PATH;
    this.#token = token;
    this.#warn = options.warn ?? ((m) => console.warn(m));
    this.#timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
    this.#startupWaitMs = options.startupWaitMs ?? STARTUP_WAIT_MS;
  }

  /** Where it sends, for messages (no token). */
  get where(): string {
    return this.#base;
  }

  /**
   * Sends lines and progress, gzip-compressed. A batch too large for one request (413) goes in halves; lines of
   * runs the token may not write are dropped (warned) and the rest sent again.
   */
  async insertLogs(records: LogRecord[], progress: ProgressRecord[] = []): Promise<void> {
    const lines = records.filter((r) => !this.#written.has(r));
    if (lines.length === 0 && progress.length === 0) return;
    try {
      await this.#request('POST', '/logs', { lines: lines.map(wireLine), progress }, logsResponse);
      for (const r of lines) this.#written.add(r);
    } catch (err) {
      if (!(err instanceof WorkerApiError)) throw err;
      if (err.status === 403 && err.runs.length > 0) {
        const refused = new Set(err.runs.map((r) => r.runId));
        const drop = (r: { runId: string }) => refused.has(r.runId);
        const dropped = lines.filter(drop);
        for (const r of dropped) this.#written.add(r);
        this.#warn(`${dropped.length} log line(s) dropped: ${err.message}`);
        return this.insertLogs(lines.filter((r) => !drop(r)), progress.filter((p) => !drop(p)));
      }
      if (err.status === 413 && lines.length > 1) {
        const half = Math.ceil(lines.length / 2);
        await this.insertLogs(lines.slice(0, half), progress);
        return this.insertLogs(lines.slice(half));
      }
      if (err.status === 413 && lines.length === 1) {
        this.#written.add(lines[0]!);
        this.#warn(`a log line of run ${lines[0]!.runId} was dropped: ${err.message}`);
        return;
      }
      throw err;
    }
  }

  /** Claims and publishes the queue's flows and code notification rules (see publishQueueFlows). */
  async publishFlows(input: { taskQueue: string; repository?: string; flows: FlowEntry[]; rules: DeclaredRule[] }): Promise<TakeOver[]> {
    const body: PublishFlowsRequest = {
      taskQueue: input.taskQueue,
      repository: input.repository,
      flows: input.flows.map(({ name, description, parametersSchema, deployments, runTimeoutMs, updatedAt }) => ({
        name, description, parametersSchema, deployments, runTimeoutMs, updatedAt,
      })),
      rules: input.rules,
    };
    const { takeOvers } = await this.#whenUp(() => this.#request('POST', '/flows', body, publishFlowsResponse));
    return takeOvers;
  }

  /** Every entry of the queue, live and gone. */
  async flowsOfQueue(taskQueue: string): Promise<FlowEntry[]> {
    return (await this.#whenUp(() => this.#request('GET', `/flows?taskQueue=${encodeURIComponent(taskQueue)}`, undefined, flowsResponse))).flows;
  }

  /** The live tasks a Python worker published on the queue. */
  async tasksOfQueue(taskQueue: string): Promise<TaskEntry[]> {
    return (await this.#request('GET', `/tasks?taskQueue=${encodeURIComponent(taskQueue)}`, undefined, tasksResponse)).tasks;
  }

  /**
   * Replaces the queue's replay findings with these (none: its code replays every open run it checked). Asked once:
   * the web app answered the worker's publish moments before, and a worker stopping must not wait for it.
   */
  async reportReplayFindings(input: ReplayFindingsRequest): Promise<void> {
    await this.#request('POST', '/replay-findings', input, replayFindingsResponse);
  }

  /** `call`, again while the web app is unreachable or answers 503, for at most startupWaitMs (said once). */
  async #whenUp<T>(call: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.#startupWaitMs;
    let waitMs = 250;
    let said = false;
    for (;;) {
      try {
        return await call();
      } catch (err) {
        const down = err instanceof WorkerApiError && (err.status === 0 || err.status === 503);
        if (!down || Date.now() + waitMs > deadline) throw err;
        if (!said) this.#warn(`waiting for the web app: ${err.message}`);
        said = true;
        await new Promise((r) => setTimeout(r, waitMs));
        waitMs = Math.min(waitMs * 2, 5_000);
      }
    }
  }

  async #request<S extends z.ZodType>(method: 'GET' | 'POST', path: string, body: unknown, answer: S): Promise<z.output<S>> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}`, accept: 'application/json', [WORKER_HEADER]: workerHeaderValue() };
    let payload: Uint8Array | undefined;
    if (body !== undefined) {
      // Level 1: log text shrinks about tenfold at a fraction of the default level's CPU, which the tasks need.
      payload = await gzipAsync(JSON.stringify(body), { level: 1 });
      headers['content-type'] = 'application/json';
      headers['content-encoding'] = 'gzip';
    }
    const url = this.#base + path;
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body: payload, signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (err) {
      const cause = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
      throw new WorkerApiError(`Sluice at ${this.#base} is not answering (${cause}).`, 0, 'unreachable');
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) {
      const parsed = errorResponse.safeParse(safeJson(text));
      const { code, message, runs } = parsed.success
        ? parsed.data.error
        : { code: `http_${response.status}`, message: `${method} ${path} answered ${response.status} ${text.slice(0, 200)}`, runs: undefined };
      throw new WorkerApiError(`Sluice refused ${method} ${WORKER_API_PATH}${path.split('?')[0]} (${response.status}): ${message}`, response.status, code, runs);
    }
    const parsed = answer.safeParse(safeJson(text));
    if (!parsed.success) throw new WorkerApiError(`Sluice answered ${method} ${path} with an unexpected body: ${text.slice(0, 200)}`, response.status, 'bad_answer');
    return parsed.data;
  }
}

/** A line as it travels: `fields` as the worker serialised it when the line was written (fieldsText), once. */
function wireLine(r: LogRecord): LogRecord {
  if (r.fieldsText === undefined || r.fields === undefined) return r;
  const { fields: _f, ...rest } = r;
  return rest;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
