/** The shapes the client API returns: what the web app, the HTTP API and other programs read. */
import type { NotifyRule } from '../notify/types';
import type { Question } from '../questions';
import type { LimitState, SlotWait } from '../limits/limit-types';

export type { LimitState, SlotWait } from '../limits/limit-types';

/**
 * A run's status, as Temporal's visibility names it (lower-case, one word).
 *
 * @example
 * const closed = (status: RunStatus) => status !== 'running';
 */
export type RunStatus =
  | 'running'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'terminated'
  | 'timed_out'
  | 'continued_as_new';

/**
 * Every run status, in the order the web page lists them.
 *
 * @example
 * for (const status of RUN_STATUSES) console.log(status, (await sluice.countRuns({ status })).total);
 */
export const RUN_STATUSES: readonly RunStatus[] = [
  'running',
  'completed',
  'failed',
  'cancelled',
  'terminated',
  'timed_out',
  'continued_as_new',
];

/**
 * Identifies one run: a workflow execution.
 *
 * @example
 * const run: RunRef = await sluice.start('rainfallReport', { station: 'DeBilt' });
 * console.log(run.workflowId, run.runId);
 */
export interface RunRef {
  workflowId: string;
  runId: string;
}

/**
 * Who or what started a run: `user:alice@example.com`, `token:etl-script`, `schedule:flow:deployment`, `client`.
 *
 * @example
 * const by: StartedBy = 'user:ann@example.org';
 * const { runs } = await sluice.listRuns({ startedBy: by });
 */
export type StartedBy = string;

/**
 * A run as the runs list shows it: flow, deployment, who started it, status and times.
 *
 * @example
 * const { runs } = await sluice.listRuns({ flow: 'rainfallReport' });
 * for (const r of runs satisfies RunSummary[]) console.log(r.status, r.startTime);
 */
export interface RunSummary extends RunRef {
  flow: string;
  deployment: string | null;
  startedBy: StartedBy | null;
  status: RunStatus;
  taskQueue: string;
  startTime: string; // ISO 8601
  closeTime: string | null;
  durationMs: number | null;
  /**
   * True for a running run whose flow code keeps failing (its workflow task is retried). `listRuns` sets it
   * for the running runs of the page it returns; the run's page says why.
   */
  stuck?: boolean;
  /** True while the run waits for a person's answer (its flow called `ask()`); the question is in `getQuestions`. */
  waitingForInput?: boolean;
  /** Set while the run waits for a slot of a concurrency limit (or a start of a rate limit): which ones. */
  waitingFor?: SlotWait[];
}

/**
 * Which runs `listRuns` and `countRuns` return; every field narrows, none means all runs.
 *
 * @example
 * const filter: RunFilter = { flow: 'rainfallReport', status: 'failed', startedAfter: new Date('2025-12-01') };
 * const page = await sluice.listRuns(filter);
 */
export interface RunFilter {
  /** Only running runs that wait for a person's answer. */
  waitingForInput?: boolean;
  /** Only running runs that wait for a slot of a concurrency limit or a start of a rate limit. */
  waitingForSlot?: boolean;
  flow?: string;
  deployment?: string;
  status?: RunStatus;
  startedBy?: string;
  startedAfter?: Date;
  startedBefore?: Date;
}

/**
 * One page of runs, newest first, and the token of the next page when there is one.
 *
 * @example
 * let page: RunPage = await sluice.listRuns({}, { pageSize: 100 });
 * while (page.nextPageToken) page = await sluice.listRuns({}, { pageToken: page.nextPageToken });
 */
export interface RunPage {
  runs: RunSummary[];
  /** Opaque; pass back as `pageToken` for the next page. Absent on the last page. */
  nextPageToken?: string;
}

/**
 * Why a run or task failed, readable: the message, the error type, its stack and its causes.
 *
 * @example
 * const run = await sluice.getRun(workflowId);
 * const failure: RunFailure | null | undefined = run?.failure;
 * if (failure) console.error(failure.type, failure.message);
 */
export interface RunFailure {
  /** The readable message: what a user reads first. */
  message: string;
  /** The error's type (its class name, or an ApplicationFailure type such as `InvalidParameters`). */
  type: string | null;
  /** The stack trace, shown behind a click. */
  stack: string | null;
  /** The cause chain, outermost first, when the failure wraps others (a task failure inside a flow failure). */
  causes: { message: string; type: string | null }[];
}

/**
 * What a running task last reported with `progress()`.
 *
 * @example
 * const progress: Record<string, TaskProgress> = await sluice.readProgress(run.runId, ['1']);
 */
export interface TaskProgress {
  done: number;
  total: number;
  message?: string;
  /** When the task reported it (ISO); null when not known. */
  reportedAt: string | null;
}

/**
 * One attempt-aware view of a task (activity) inside a run, read from the history and pending activities.
 *
 * @example
 * const run = await sluice.getRun(workflowId);
 * for (const t of (run?.tasks ?? []) satisfies TaskRun[]) console.log(t.task, t.status, t.attempts);
 */
export interface TaskRun {
  activityId: string;
  task: string; // the activity type: the task's name
  status: 'scheduled' | 'running' | 'retrying' | 'completed' | 'failed' | 'timed_out' | 'cancelled';
  attempts: number; // attempts made so far (1 = no retry)
  maximumAttempts: number | null; // null = unlimited
  scheduledTime: string;
  startedTime: string | null; // start of the last attempt
  closeTime: string | null;
  durationMs: number | null; // from scheduled to close, retries included
  /** The failure of the last failed attempt (final failure, or the one before a retry). */
  lastFailure: RunFailure | null;
  /** What a long task last reported with `progress()`, while it runs (null once it has closed). */
  progress: TaskProgress | null;
  /** The identity of the worker that ran its last attempt (`pid@host`, `pid@host (python)` for a Python worker). */
  worker?: string | null;
  /** A local task (`task({ local: true })`): recorded once, when it ended; no start time or progress. */
  local?: boolean;
}

/**
 * A running run whose flow code fails on every attempt (Temporal retries its workflow task): nothing moves
 * until the flow's code is fixed and a worker serving the fix picks it up, or the run times out.
 *
 * @example
 * const run = await sluice.getRun(workflowId);
 * const stuck: StuckRun | null | undefined = run?.stuckOn;
 * if (stuck) console.error(stuck.kind, stuck.explanation);
 */
export interface StuckRun {
  /** 'nondeterminism': changed flow code no longer replays the run's history; 'error': anything else. */
  kind: 'nondeterminism' | 'error';
  /** What a reader is told first, in words. */
  explanation: string;
  /** The failure Temporal recorded (the first of the series; later attempts are not kept in the history). */
  failure: RunFailure | null;
  /** Attempts so far, when Temporal reports it. */
  attempts: number | null;
}

/**
 * A run with everything the run page shows: parameters, result, failure, its tasks.
 *
 * @example
 * const run: RunDetail | undefined = await sluice.getRun(workflowId);
 * console.log(run?.parameters, run?.result);
 */
export interface RunDetail extends RunSummary {
  parameters: unknown;
  result: unknown;
  failure: RunFailure | null;
  /** Set while the run is running and its flow code keeps failing (see StuckRun); `stuck` is then true. */
  stuckOn: StuckRun | null;
  tasks: TaskRun[];
  /** Opens exactly this execution in Temporal Web. */
  temporalWebUrl: string;
  historyLength: number;
  /** What the run asked people (`ask()`), oldest first, with their answers; empty when it asked nothing. */
  questions: Question[];
  /** The limits the run waits for, as their limiters last said (slots in use, by which runs); empty when it waits for none. */
  limits: LimitState[];
}

/**
 * What the catalog says of a flow (published by the worker that serves it).
 *
 * @example
 * const flows: FlowInfo[] = await sluice.listFlows();
 * for (const f of flows) console.log(f.name, f.taskQueue, f.deployments.length);
 */
export interface FlowInfo {
  name: string;
  description: string | null;
  taskQueue: string;
  /** JSON Schema of the flow's parameters (from its zod schema); the web form is generated from it. */
  parametersSchema: Record<string, unknown>;
  deployments: DeploymentDeclaration[];
  /** When its task queue stopped declaring it (ISO 8601); null while a queue serves it. A gone flow cannot be started. */
  goneAt: string | null;
}

/**
 * A task a worker in another language (Python) serves, as it published it at its start (the task catalog).
 *
 * @example
 * const tasks: TaskInfo[] = await sluice.listTasks();
 * for (const t of tasks) console.log(t.taskQueue, t.name);
 */
export interface TaskInfo {
  name: string;
  taskQueue: string;
  /** 'python'. */
  language: string;
  /** The options it declared, in TaskOptions' shape with defaults filled in (durations in milliseconds). */
  options: Record<string, unknown>;
  /** The identity of the worker that published it last, e.g. `4242@host (python)`. */
  worker: string;
  /** When that worker published it (ISO 8601). */
  publishedAt: string;
}

/**
 * A deployment as declared in code next to its flow: a named way to run it, with default parameters and
 * optionally a schedule; the worker makes it a Temporal Schedule.
 *
 * @example
 * const daily: DeploymentDeclaration = { name: 'daily', cron: '0 6 * * *', timezone: 'Europe/Amsterdam', parameters: { station: 'DeBilt' } };
 */
export interface DeploymentDeclaration {
  /** Who is told about this deployment's runs (and its late starts); added to the flow's own rules. */
  notify?: NotifyRule[];
  name: string;
  description?: string;
  /** Cron expression(s), standard five fields (minute hour day-of-month month day-of-week). */
  cron?: string | string[];
  /** A fixed interval, e.g. '15 minutes', '1h', or milliseconds. */
  interval?: string | number;
  /** IANA time zone for cron, e.g. 'Europe/Amsterdam'. Default UTC. */
  timezone?: string;
  /** At most this many runs of this deployment at once, however started; the others wait for a slot (see docs/limits.md). */
  concurrency?: number;
  parameters?: Record<string, unknown>;
  /** Initial state when first created. An operator's later pause/resume is never undone by the worker. */
  paused?: boolean;
  /** Longest one of its runs may take (e.g. '2h'); then it ends as timed out. Default: the flow's, else 24 hours. */
  runTimeout?: string | number;
  /**
   * When a run is due while the previous one still runs: 'skip' it (default), 'bufferOne' (start it once
   * the previous ends; at most one waits) or 'allowAll' (start it anyway).
   */
  overlap?: OverlapPolicy;
  /** How late a run missed while Temporal was down may still start (e.g. '1h'). Default '10 minutes'. */
  catchupWindow?: string | number;
  /** What else starts a run of this deployment: another flow's run ending, or a signed HTTP call (see docs/triggers.md). */
  triggers?: TriggerDeclaration[];
}

/**
 * A trigger: either `after` (a run of that flow ended) or `http` (a signed `POST /api/triggers/<http>`).
 *
 * @example { after: 'importDaily', on: 'success', parameters: { day: 'day', file: 'output.path' } }
 * @example { http: 'file-arrived' }
 */
export interface TriggerDeclaration {
  /** Start a run when a run of this flow ends. */
  after?: string;
  /** With `after`: 'success' (default) starts only after a completed run; 'any' after every ending (failed too). */
  on?: 'success' | 'any';
  /**
   * With `after`: parameter name → the field of the upstream run's result that gives its value (dotted path,
   * e.g. 'output.path'). Added over the deployment's own parameters; a field the result lacks is left out.
   */
  parameters?: Record<string, string>;
  /** Start a run when `POST /api/triggers/<http>` arrives signed with the secret in SLUICE_TRIGGER_SECRET_<HTTP>. */
  http?: string;
}

/**
 * What a deployment does when a run is due while the previous one still runs.
 *
 * @example
 * const hourly: DeploymentDeclaration = { name: 'hourly', interval: '1h', overlap: 'bufferOne' satisfies OverlapPolicy };
 */
export type OverlapPolicy = 'skip' | 'bufferOne' | 'allowAll';

/**
 * A deployment as it stands in Temporal (its Schedule), for the flows page.
 *
 * @example
 * const deployments: DeploymentInfo[] = await sluice.listDeployments('rainfallReport');
 * for (const d of deployments) console.log(d.name, d.paused, d.nextRunTimes[0]);
 */
export interface DeploymentInfo {
  flow: string;
  name: string;
  scheduleId: string;
  description: string | null;
  cron: string[];
  interval: string | null;
  timezone: string;
  parameters: Record<string, unknown>;
  paused: boolean;
  note: string | null;
  nextRunTimes: string[];
  recentRuns: (RunRef & { scheduledAt: string })[];
  taskQueue: string;
  temporalWebUrl: string;
}

/**
 * A deployment as Temporal's schedule list carries it: enough for "what runs next", without a describe each.
 *
 * @example
 * const times: DeploymentTimes[] = await sluice.listDeploymentTimes();
 * for (const t of times) console.log(t.flow, t.name, t.nextRunTimes[0]);
 */
export type DeploymentTimes = Pick<DeploymentInfo, 'flow' | 'name' | 'scheduleId' | 'cron' | 'interval' | 'timezone' | 'paused' | 'nextRunTimes'>;
