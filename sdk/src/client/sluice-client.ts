/**
 * The client API: start flows and deployments, list and read runs with their tasks and logs, manage
 * deployments. The web app, the HTTP API and other programs (Prefect's `run_deployment`) use it.
 *
 * @example
 * const sluice = await SluiceClient.connect();
 * const run = await sluice.start('rainfallReport', { station: 'Eelde', days: 30 }, { startedBy: 'user:ann@example.org' });
 * const report = await sluice.waitForResult(run);
 */
import {
  Client,
  ScheduleNotFoundError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type ScheduleDescription,
} from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { cronsOf, runTimeoutMsOf, scheduleIdOf } from '../deployments';
import type { Flow } from '../flow';
import { parseParameters } from '../parameters';
import { runSearchAttributes } from '../run-attributes';
import type { AnswerInput, Question } from '../questions';
import { MEMO } from '../schedules';
import { openStore, storeUrlFromEnv, type FlowEntry, type LogQuery, type ProgressRecord, type Store, type StoredLog } from '../store';
import { connect, temporalConfig, type TemporalConfig } from '../temporal';
import { SEARCH_ATTRIBUTES } from '../temporal/search-attributes';
import { BackfillNotFoundError, FlowGoneError, InvalidBackfillError, InvalidPageTokenError, InvalidParametersError, RunFailedError, RunNotFoundError, UnknownDeploymentError, UnknownFlowError } from './errors';
import { answerRun, questionsOf } from './answers';
import { HistoryCache } from './history-cache';
import { stuckOf, taskProgressOf } from './run-history';
import { limiterId, LIMIT_MEMO } from '../limits/limit-types';
import type { DeploymentDeclaration, DeploymentInfo, LimitState, SlotWait, DeploymentTimes, FlowInfo, RunDetail, RunFilter, RunPage, RunRef, RunStatus, RunSummary, TaskInfo, TaskProgress } from './types';
import { quote, runQuery, statusOfQueryValue, summaryOf, summaryOfRaw } from './visibility';
import { planBackfill, type BackfillPlan, type BackfillRequest } from '../backfill/plan';
import { BACKFILL_WORKFLOW, type BackfillInfo, type BackfillInput, type BackfillPreview } from '../backfill/types';

/**
 * Where `SluiceClient.connect()` finds Temporal and the store; each defaults to the environment (TEMPORAL_ADDRESS, DATABASE_URL, …).
 *
 * @example
 * const sluice = await SluiceClient.connect({ address: 'temporal.internal:7233', namespace: 'water' } satisfies ConnectOptions);
 */
export interface ConnectOptions {
  /**
   * Where Temporal is and how to connect — address, namespace, TLS, API key — as parsed by
   * `parseTemporalConfig` (the web app parses its environment once); default: this process's TEMPORAL_* variables.
   */
  temporal?: TemporalConfig;
  /** Overrides the address of `temporal`, keeping its TLS settings. */
  address?: string;
  namespace?: string;
  /** Defaults to the store DATABASE_URL / SLUICE_DATA_DIR names; closed by `close()` only if opened here. */
  store?: Store;
  /**
   * Where "Open in Temporal Web" links start (default TEMPORAL_WEB_URL): a URL, or an absolute path such as
   * `/temporal` for links inside the Sluice web app, which serves Temporal Web there behind its log-in.
   */
  temporalWebUrl?: string;
}

/**
 * How a run is started: who starts it (shown on the run page and filterable) and, optionally, its workflow id.
 *
 * @example
 * const run = await sluice.start('rainfallReport', { station: 'DeBilt' }, { startedBy: 'user:ann@example.org' } satisfies StartOptions);
 */
export interface StartOptions {
  /** Who or what starts the run: `user:<email>`, `token:<name>`; default `client`. */
  startedBy?: string;
  workflowId?: string;
  /** With `workflowId`: start nothing (WorkflowExecutionAlreadyStartedError) when a run of that id ever existed. */
  once?: boolean;
}

/**
 * The parameters a flow takes, for typed calls: `start<typeof rainfallReport>('rainfallReport', {...})`.
 *
 * @example
 * const parameters: ParametersOf<typeof rainfallReport> = { station: 'DeBilt' };
 * await sluice.start<typeof rainfallReport>('rainfallReport', parameters);
 */
export type ParametersOf<F> = F extends Flow<infer S> ? z.input<S> : Record<string, unknown>;

const DEFAULT_PAGE_SIZE = 50;

/**
 * The Sluice client: starts runs (checking their parameters first), waits for them, reads runs, logs, progress
 * and deployments, answers questions, pauses schedules. `close()` it when done.
 *
 * @example
 * const sluice = await SluiceClient.connect();
 * try {
 *   const run = await sluice.start('rainfallReport', { station: 'DeBilt' });
 *   console.log(await sluice.waitForResult(run));
 *   console.log(await sluice.readLogs({ runId: run.runId }));
 * } finally {
 *   await sluice.close();
 * }
 */
export class SluiceClient {
  private readonly schemas = new Map<string, { updatedAt: number; schema: z.ZodType }>();
  private readonly histories: HistoryCache;

  private constructor(
    readonly temporal: Client,
    readonly store: Store,
    private readonly ownsStore: boolean,
    private readonly webUrl: string,
  ) {
    this.histories = new HistoryCache(temporal);
  }

  static async connect(options: ConnectOptions = {}): Promise<SluiceClient> {
    const config = options.temporal ?? temporalConfig();
    const connection = await connect({ ...config, address: options.address ?? config.address });
    const client = new Client({ connection, namespace: options.namespace ?? config.namespace });
    const store = options.store ?? (await openStore(storeUrlFromEnv()));
    return new SluiceClient(client, store, !options.store, (options.temporalWebUrl ?? config.webUrl).replace(/\/+$/, ''));
  }

  get namespace(): string {
    return this.temporal.options.namespace;
  }

  // ---- flows -------------------------------------------------------------------------------------------

  /** Every flow by name: those served now, and gone ones (`goneAt` set) whose name no queue serves. */
  async listFlows(): Promise<FlowInfo[]> {
    return (await this.store.listFlows()).map(flowInfoOf);
  }

  /** The flow served under `name`, or the gone one of that name (`goneAt` set); undefined when never published. */
  async getFlow(name: string): Promise<FlowInfo | undefined> {
    const entry = await this.store.getFlow(name, { includeGone: true });
    return entry && flowInfoOf(entry);
  }

  /** The tasks workers in other languages (Python) serve now, by task queue then name; gone ones left out. */
  async listTasks(): Promise<TaskInfo[]> {
    return (await this.store.listTasks()).map((t) => ({
      name: t.name,
      taskQueue: t.taskQueue,
      language: t.language,
      options: t.options,
      worker: t.worker,
      publishedAt: new Date(t.updatedAt).toISOString(),
    }));
  }

  // ---- starting runs -----------------------------------------------------------------------------------

  /** Starts a run of `flow` after checking `parameters` against its schema (throws InvalidParametersError). */
  async start<F = unknown>(flow: string, parameters: ParametersOf<F> | unknown, options: StartOptions = {}): Promise<RunRef> {
    const entry = await this.flowEntry(flow);
    return this.startChecked(entry, parameters, null, options);
  }


  /** Starts a run of a deployment now: its parameters, with `parameters` overriding some of them. */
  async startDeployment(flow: string, deployment: string, options: StartOptions & { parameters?: Record<string, unknown> } = {}): Promise<RunRef> {
    const entry = await this.flowEntry(flow);
    const declared = (entry.deployments as DeploymentDeclaration[]).find((d) => d.name === deployment);
    if (!declared) throw new UnknownDeploymentError(flow, deployment);
    return this.startChecked(entry, { ...declared.parameters, ...options.parameters }, deployment, options, runTimeoutMsOf(entry.runTimeoutMs, declared));
  }

  /** "Run now" on a deployment page: the same as `startDeployment`, attributed to whoever pressed it. */
  triggerDeployment(flow: string, deployment: string, options: StartOptions = {}): Promise<RunRef> {
    return this.startDeployment(flow, deployment, options);
  }

  /** Starts the run's flow again with the same parameters, or with `parameters` instead. */
  async rerun(ref: RunRef, options: StartOptions & { parameters?: unknown } = {}): Promise<RunRef> {
    const run = await this.getRun(ref.workflowId, ref.runId);
    if (!run) throw new RunNotFoundError(ref.workflowId, ref.runId);
    const entry = await this.flowEntry(run.flow);
    const declared = (entry.deployments as DeploymentDeclaration[]).find((d) => d.name === run.deployment);
    return this.startChecked(entry, options.parameters ?? run.parameters, run.deployment, options, runTimeoutMsOf(entry.runTimeoutMs, declared));
  }

  private async startChecked(
    entry: FlowEntry,
    parameters: unknown,
    deployment: string | null,
    options: StartOptions,
    runTimeoutMs = runTimeoutMsOf(entry.runTimeoutMs),
  ): Promise<RunRef> {
    const parsed = parseParameters(entry.name, this.schemaOf(entry), parameters ?? {});
    if (!parsed.ok) throw new InvalidParametersError(entry.name, parsed.issues);
    const prefix = deployment ? scheduleIdOf(entry.name, deployment) : entry.name;
    const handle = await this.temporal.workflow.start(entry.name, {
      taskQueue: entry.taskQueue,
      workflowId: options.workflowId ?? `${prefix}-${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`,
      args: [parameters ?? {}],
      ...(options.once ? { workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE } : {}),
      // Every run ends by then, even one whose flow code fails on every attempt.
      workflowExecutionTimeout: runTimeoutMs,
      typedSearchAttributes: runSearchAttributes({ flow: entry.name, deployment, startedBy: options.startedBy ?? 'client' }),
    });
    return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
  }

  /** Waits until the run closes; returns its result, or throws RunFailedError with the readable cause. */
  async waitForResult(ref: RunRef): Promise<unknown> {
    try {
      return await this.temporal.workflow.getHandle(ref.workflowId, ref.runId).result();
    } catch (e) {
      if (!(e instanceof WorkflowFailedError)) throw e;
      const run = await this.getRun(ref.workflowId, ref.runId);
      throw new RunFailedError(run?.status ?? 'failed', run?.failure ?? { message: e.message, type: null, stack: null, causes: [] });
    }
  }

  // ---- reading runs ------------------------------------------------------------------------------------

  async listRuns(filter: RunFilter = {}, page: { pageSize?: number; pageToken?: string } = {}): Promise<RunPage> {
    let response;
    try {
      response = await this.temporal.workflowService.listWorkflowExecutions({
        namespace: this.namespace,
        query: runQuery(filter),
        pageSize: Math.min(Math.max(page.pageSize ?? DEFAULT_PAGE_SIZE, 1), 500),
        nextPageToken: page.pageToken ? Buffer.from(page.pageToken, 'base64url') : undefined,
      });
    } catch (e) {
      // A token Temporal cannot read fails as INVALID_ARGUMENT (3), or UNKNOWN (2) on the dev server's SQLite.
      const code = (e as { code?: unknown }).code;
      if (page.pageToken && (code === 3 || code === 2)) throw new InvalidPageTokenError();
      throw e;
    }
    const token = response.nextPageToken?.length ? Buffer.from(response.nextPageToken).toString('base64url') : undefined;
    const runs = response.executions.map(summaryOfRaw);
    await this.markStuck(runs);
    return { runs, ...(token ? { nextPageToken: token } : {}) };
  }

  /**
   * Marks the running runs of a page whose workflow task keeps failing (its pending attempt is above 1):
   * visibility does not say so, describe does. One describe per running run of the page, in parallel; a
   * run that closed meanwhile or cannot be described is left unmarked.
   */
  private async markStuck(runs: RunSummary[]): Promise<void> {
    await Promise.all(
      runs
        .filter((r) => r.status === 'running')
        .map(async (r) => {
          try {
            const d = await this.temporal.workflowService.describeWorkflowExecution({
              namespace: this.namespace,
              execution: { workflowId: r.workflowId, runId: r.runId },
            });
            r.stuck = (d.pendingWorkflowTask?.attempt ?? 1) > 1;
          } catch {
            // The page still lists the run; only the mark is missing.
          }
        }),
    );
  }

  async countRuns(filter: RunFilter = {}): Promise<{ total: number; byStatus: Partial<Record<RunStatus, number>> }> {
    const { status: _ignored, ...rest } = filter;
    const query = runQuery(rest);
    const { count, groups } = await this.temporal.workflow.count(`${query}${query ? ' ' : ''}GROUP BY ExecutionStatus`);
    const byStatus: Partial<Record<RunStatus, number>> = {};
    for (const g of groups) {
      const status = statusOfQueryValue(g.groupValues[0]);
      if (status) byStatus[status] = (byStatus[status] ?? 0) + g.count;
    }
    return { total: filter.status ? (byStatus[filter.status] ?? 0) : count, byStatus };
  }

  /**
   * A run with its parameters, result or failure, and tasks; undefined when there is no such run. Reading the
   * same run again fetches only the events added to its history since (see HistoryCache).
   */
  async getRun(workflowId: string, runId?: string): Promise<RunDetail | undefined> {
    const description = await this.describeRun(workflowId, runId);
    if (!description) return undefined;
    const reader = await this.histories.read(workflowId, description.runId, description.historyLength);
    const pending = description.raw.pendingActivities ?? [];
    const { workflowTaskFailure, ...read } = reader.read(pending, await this.storedProgress(description.runId, pending));
    const summary = summaryOf(description);
    const stuck = summary.status === 'running' ? stuckOf(workflowTaskFailure, description.raw.pendingWorkflowTask?.attempt) : null;
    return {
      ...summary,
      ...(stuck ? { stuck: true } : {}),
      ...read,
      stuckOn: stuck,
      historyLength: description.historyLength,
      questions: questionsOf(description.memo),
      limits: await this.limitStates(summary.waitingFor ?? []),
      temporalWebUrl: this.temporalWebUrl(summary),
    };
  }

  /**
   * What the limiters of these waits last said of themselves (their memo: slots in use, by which runs, how many
   * wait). Read by describe, so it needs no worker; a limiter not started yet, or ended, is left out.
   */
  private async limitStates(waits: SlotWait[]): Promise<LimitState[]> {
    const states = await Promise.all(
      waits.map(async ({ kind, key }) => {
        const d = await this.describeRun(limiterId(kind, key)).catch(() => undefined);
        return d?.status.name === 'RUNNING' ? (d.memo?.[LIMIT_MEMO] as LimitState | undefined) : undefined;
      }),
    );
    return states.filter((s): s is LimitState => s !== undefined);
  }

  /**
   * What the run's open tasks last reported, as their workers wrote it to the store with their log lines (fresher
   * than Temporal's throttled heartbeats). Without the store, the heartbeats' progress still shows.
   */
  private async storedProgress(runId: string, pending: { activityId?: string | null }[]): Promise<ProgressRecord[]> {
    if (pending.length === 0) return [];
    return this.store.readProgress(runId, pending.map((p) => p.activityId ?? '')).catch(() => []);
  }

  /** A run as the runs list shows it (the latest of `workflowId` without `runId`), without reading its history. */
  async getRunSummary(workflowId: string, runId?: string): Promise<RunSummary | undefined> {
    const description = await this.describeRun(workflowId, runId);
    return description && summaryOf(description);
  }

  private async describeRun(workflowId: string, runId?: string) {
    try {
      return await this.temporal.workflow.getHandle(workflowId, runId).describe();
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) return undefined;
      throw e;
    }
  }

  readLogs(query: LogQuery): Promise<StoredLog[]> {
    return this.store.readLogs(query);
  }

  /**
   * What these tasks of a run (by activity id) last reported with `progress()`, read from the store alone: the
   * run page polls it while tasks run. Tasks that reported nothing are absent.
   *
   * @example
   * const { '3': simulate } = await sluice.readProgress(run.runId, ['3']); // { done: 12, total: 60, message: 'step 12 of 60', reportedAt }
   */
  async readProgress(runId: string, activityIds: readonly string[]): Promise<Record<string, TaskProgress>> {
    const out: Record<string, TaskProgress> = {};
    for (const record of await this.store.readProgress(runId, activityIds)) out[record.activityId] = taskProgressOf(record)!;
    return out;
  }

  /**
   * What a run asked people (`ask()` in its flow), oldest first, with the answers; the open one has status
   * `open`. Read from the run's memo: it needs no worker. Undefined when there is no such run.
   */
  async getQuestions(workflowId: string, runId?: string): Promise<{ run: RunSummary; questions: Question[] } | undefined> {
    const description = await this.describeRun(workflowId, runId);
    return description && { run: summaryOf(description), questions: questionsOf(description.memo) };
  }

  /**
   * Answers the question the run waits on (the latest run of `workflowId` without `runId`); returns it answered.
   * Throws InvalidAnswerError (with the issues) when its schema refuses the value, NotWaitingError when the run
   * waits for no answer, RunNotFoundError, or AnswerNotTakenError when no worker takes it within `timeoutMs`.
   *
   * @example await sluice.answer({ workflowId }, { value: { load: true }, by: 'user:ann@example.org' });
   */
  answer(ref: { workflowId: string; runId?: string }, input: AnswerInput, { timeoutMs = 20_000 } = {}): Promise<Question> {
    return answerRun(this.temporal, ref, input, timeoutMs);
  }

  /** Asks the run to stop: running tasks see `cancellationSignal()` abort, and the run ends as cancelled. */
  async cancelRun(ref: RunRef): Promise<void> {
    try {
      await this.temporal.workflow.getHandle(ref.workflowId, ref.runId).cancel();
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) throw new RunNotFoundError(ref.workflowId, ref.runId);
      throw e;
    }
  }

  /** The run's history in Temporal Web, e.g. `http://localhost:3000/temporal/namespaces/default/workflows/ID/RUN/history`. */
  temporalWebUrl(ref: RunRef): string {
    return this.temporalWebPage('workflows', ref.workflowId, ref.runId, 'history');
  }

  /** A page of Temporal Web in this client's namespace; each part of the path is URL-encoded. */
  private temporalWebPage(...path: string[]): string {
    return [this.webUrl, 'namespaces', this.namespace, ...path].map((p, i) => (i === 0 ? p : encodeURIComponent(p))).join('/');
  }

  // ---- deployments -------------------------------------------------------------------------------------

  async listDeployments(flow?: string): Promise<DeploymentInfo[]> {
    const ids: string[] = [];
    for await (const s of this.temporal.schedule.list()) {
      const owned = typeof s.memo?.[MEMO.flow] === 'string';
      if (owned && (!flow || s.memo?.[MEMO.flow] === flow)) ids.push(s.scheduleId);
    }
    const flows = new Map((await this.store.listFlows()).map((f) => [f.name, f]));
    const infos = await Promise.all(ids.map(async (id) => this.deploymentInfoOf(await this.temporal.schedule.getHandle(id).describe(), flows)));
    return infos.sort((a, b) => a.flow.localeCompare(b.flow) || a.name.localeCompare(b.name));
  }

  /**
   * Every deployment with its next run times and pause, from one call to Temporal's schedule list instead of a
   * describe per schedule (`listDeployments`). The list is Temporal's visibility: a change shows a moment later.
   */
  async listDeploymentTimes(): Promise<DeploymentTimes[]> {
    const flows = new Map((await this.store.listFlows()).map((f) => [f.name, f]));
    const out: DeploymentTimes[] = [];
    for await (const s of this.temporal.schedule.list()) {
      if (typeof s.memo?.[MEMO.flow] !== 'string') continue;
      const flow = String(s.memo[MEMO.flow]);
      const name = String(s.memo[MEMO.deployment]);
      out.push({
        flow,
        name,
        scheduleId: s.scheduleId,
        ...declaredTimingOf(flows, flow, name),
        timezone: s.spec?.timezone ?? 'UTC',
        paused: s.state.paused,
        nextRunTimes: s.info.nextActionTimes.map((d) => d.toISOString()),
      });
    }
    return out.sort((a, b) => a.flow.localeCompare(b.flow) || a.name.localeCompare(b.name));
  }

  async pauseDeployment(flow: string, deployment: string, note = 'Paused'): Promise<void> {
    await this.withSchedule(flow, deployment, (h) => h.pause(note));
  }

  async resumeDeployment(flow: string, deployment: string, note = 'Resumed'): Promise<void> {
    await this.withSchedule(flow, deployment, (h) => h.unpause(note));
  }

  private async withSchedule<T>(flow: string, deployment: string, act: (h: ReturnType<Client['schedule']['getHandle']>) => Promise<T>): Promise<T> {
    try {
      return await act(this.temporal.schedule.getHandle(scheduleIdOf(flow, deployment)));
    } catch (e) {
      if (e instanceof ScheduleNotFoundError) throw new UnknownDeploymentError(flow, deployment);
      throw e;
    }
  }

  private deploymentInfoOf(s: ScheduleDescription, flows: Map<string, FlowEntry>): DeploymentInfo {
    const flow = String(s.memo?.[MEMO.flow]);
    const name = String(s.memo?.[MEMO.deployment]);
    const action = s.action.type === 'startWorkflow' ? s.action : undefined;
    return {
      flow,
      name,
      scheduleId: s.scheduleId,
      description: (s.memo?.[MEMO.description] as string | null) ?? null,
      ...declaredTimingOf(flows, flow, name),
      timezone: s.spec.timezone ?? 'UTC',
      parameters: ((action?.args as unknown[] | undefined)?.[0] as Record<string, unknown>) ?? {},
      paused: s.state.paused,
      note: s.state.note ?? null,
      nextRunTimes: s.info.nextActionTimes.map((d) => d.toISOString()),
      recentRuns: s.info.recentActions.flatMap((a) =>
        a.action.type === 'startWorkflow'
          ? [{ workflowId: a.action.workflow.workflowId, runId: a.action.workflow.firstExecutionRunId, scheduledAt: a.scheduledAt.toISOString() }]
          : [],
      ),
      taskQueue: action?.taskQueue ?? '',
      temporalWebUrl: this.temporalWebPage('schedules', s.scheduleId),
    };
  }

  // ---- backfills --------------------------------------------------------------------------------------

  /**
   * How many runs a backfill of `deployment` over a range would make (one per slot of its schedule), nothing started.
   * Throws InvalidBackfillError for a reversed or future range, no slot or too many; UnknownDeploymentError.
   *
   * @example await sluice.previewBackfill('dailyImport', 'daily', { from: '2026-03-01', to: '2026-03-31' }); // { runs: 31, … }
   */
  async previewBackfill(flow: string, deployment: string, request: BackfillRequest): Promise<BackfillPreview> {
    const { plan } = await this.backfillPlan(flow, deployment, request);
    return previewOf(flow, deployment, plan);
  }

  /**
   * Runs `deployment` once for every slot of its schedule in the range, at most `maxRunning` at once, each run
   * knowing its slot's time (`scheduledTime()` in the flow). Returns the backfill's id; nothing starts on bad input.
   *
   * @example const { id } = await sluice.backfill('dailyImport', 'daily', { from: '2026-01-01', to: '2026-03-31', maxRunning: 4 }, { startedBy: 'user:ann@example.org' });
   */
  async backfill(flow: string, deployment: string, request: BackfillRequest, options: { startedBy?: string } = {}): Promise<BackfillPreview & { id: string }> {
    const { entry, declared, plan } = await this.backfillPlan(flow, deployment, request);
    if (plan.slots.length === 0) throw new InvalidBackfillError(`Deployment ${flow}.${deployment} has no slot from ${plan.from.toISOString()} to ${plan.to.toISOString()}: nothing to run. Widen the range.`);
    const scheduleId = scheduleIdOf(flow, deployment);
    const id = `${scheduleId}.backfill-${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
    const input: BackfillInput = {
      flow,
      deployment,
      scheduleId,
      taskQueue: entry.taskQueue,
      parameters: (declared.parameters ?? {}) as Record<string, unknown>,
      slots: plan.slots.map((t) => t.toISOString()),
      maxRunning: plan.maxRunning,
      runTimeoutMs: runTimeoutMsOf(entry.runTimeoutMs, declared),
      startedBy: backfillStarter(id),
    };
    await this.temporal.workflow.start(BACKFILL_WORKFLOW, {
      taskQueue: entry.taskQueue,
      workflowId: id,
      args: [input],
      typedSearchAttributes: runSearchAttributes({ flow, deployment, startedBy: options.startedBy ?? 'client' }),
      memo: { [BACKFILL_MEMO]: { from: plan.from.toISOString(), to: plan.to.toISOString(), total: plan.slots.length, maxRunning: plan.maxRunning } },
    });
    return { id, ...previewOf(flow, deployment, plan) };
  }

  /** A backfill's state and its runs counted by status; throws BackfillNotFoundError. */
  async getBackfill(id: string): Promise<BackfillInfo> {
    let d;
    try {
      d = await this.temporal.workflow.getHandle(id).describe();
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) throw new BackfillNotFoundError(id);
      throw e;
    }
    if (d.type !== BACKFILL_WORKFLOW) throw new BackfillNotFoundError(id);
    const summary = summaryOf(d);
    const memo = (d.memo?.[BACKFILL_MEMO] ?? {}) as { from?: string; to?: string; total?: number; maxRunning?: number };
    const counts = await this.countRuns({ startedBy: backfillStarter(id) });
    const done = Object.entries(counts.byStatus).reduce((n, [status, c]) => n + (status === 'running' ? 0 : (c ?? 0)), 0);
    return {
      id,
      flow: summary.flow,
      deployment: summary.deployment ?? '',
      from: memo.from ?? '',
      to: memo.to ?? '',
      startedBy: summary.startedBy,
      startTime: summary.startTime,
      state: summary.status,
      total: memo.total ?? 0,
      maxRunning: memo.maxRunning ?? 1,
      runs: counts.byStatus,
      done,
      runsStartedBy: backfillStarter(id),
    };
  }

  /** The newest backfills of a deployment (at most `limit`), newest first. */
  async listBackfills(flow: string, deployment: string, limit = 10): Promise<BackfillInfo[]> {
    const ids: { id: string; start: number }[] = [];
    // On the flow's task queue: another Sluice sharing the namespace may serve a flow of the same name elsewhere.
    const taskQueue = (await this.store.getFlow(flow, { includeGone: true }))?.taskQueue;
    const query =
      `WorkflowType = ${quote(BACKFILL_WORKFLOW)} AND ${SEARCH_ATTRIBUTES.flow} = ${quote(flow)} AND ${SEARCH_ATTRIBUTES.deployment} = ${quote(deployment)}` +
      (taskQueue ? ` AND TaskQueue = ${quote(taskQueue)}` : '');
    for await (const info of this.temporal.workflow.list({ query, pageSize: 100 })) ids.push({ id: info.workflowId, start: info.startTime.getTime() });
    const newest = ids.sort((a, b) => b.start - a.start).slice(0, limit);
    return Promise.all(newest.map((b) => this.getBackfill(b.id)));
  }

  /** Cancels a backfill as a whole: no more runs start, running ones are asked to stop. False when it had ended already. */
  async cancelBackfill(id: string): Promise<boolean> {
    const info = await this.getBackfill(id);
    if (info.state !== 'running') return false;
    await this.temporal.workflow.getHandle(id).cancel();
    return true;
  }

  private async backfillPlan(flow: string, deployment: string, request: BackfillRequest) {
    const entry = await this.flowEntry(flow);
    const declared = (entry.deployments as DeploymentDeclaration[]).find((d) => d.name === deployment);
    if (!declared) throw new UnknownDeploymentError(flow, deployment);
    return { entry, declared, plan: planBackfill(flow, declared, request) };
  }

  // ---- helpers -----------------------------------------------------------------------------------------

  /** The live entry a run starts on; throws FlowGoneError or UnknownFlowError. */
  private async flowEntry(name: string): Promise<FlowEntry> {
    const entry = await this.store.getFlow(name, { includeGone: true });
    if (!entry) throw new UnknownFlowError(name);
    if (entry.goneAt != null) throw new FlowGoneError(name, entry.taskQueue, new Date(entry.goneAt));
    return entry;
  }

  /** The flow's zod schema, rebuilt from the JSON Schema its worker published (so any worker's flows work). */
  private schemaOf(entry: FlowEntry): z.ZodType {
    const cached = this.schemas.get(entry.name);
    if (cached && cached.updatedAt === entry.updatedAt) return cached.schema;
    const schema = z.fromJSONSchema(entry.parametersSchema as Parameters<typeof z.fromJSONSchema>[0]);
    this.schemas.set(entry.name, { updatedAt: entry.updatedAt, schema });
    return schema;
  }

  async close(): Promise<void> {
    if (this.ownsStore) await this.store.close();
    await this.temporal.connection.close();
  }
}

/** A deployment's cron and interval as its flow declares them (the schedule's spec holds them compiled). */
function declaredTimingOf(flows: Map<string, FlowEntry>, flow: string, name: string): Pick<DeploymentInfo, 'cron' | 'interval'> {
  const declared = (flows.get(flow)?.deployments as DeploymentDeclaration[] | undefined)?.find((d) => d.name === name);
  return { cron: declared ? cronsOf(declared) : [], interval: declared?.interval !== undefined ? String(declared.interval) : null };
}

function flowInfoOf(e: FlowEntry): FlowInfo {
  return {
    name: e.name,
    description: e.description,
    taskQueue: e.taskQueue,
    parametersSchema: e.parametersSchema as Record<string, unknown>,
    deployments: e.deployments as DeploymentDeclaration[],
    goneAt: e.goneAt == null ? null : new Date(e.goneAt).toISOString(),
  };
}

/** A backfill's request, kept in its driver's memo (the slots themselves are in its input). */
const BACKFILL_MEMO = 'sluiceBackfill';

/** `SluiceStartedBy` of a backfill's runs: the runs list filters them by it. */
export const backfillStarter = (id: string) => `backfill:${id}`;

function previewOf(flow: string, deployment: string, plan: BackfillPlan): BackfillPreview {
  return {
    flow,
    deployment,
    from: plan.from.toISOString(),
    to: plan.to.toISOString(),
    runs: plan.slots.length,
    firstSlot: plan.slots[0]?.toISOString() ?? null,
    lastSlot: plan.slots.at(-1)?.toISOString() ?? null,
    maxRunning: plan.maxRunning,
    overlap: plan.overlap,
  };
}
