/** The worker's settings, read from the environment once. */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { storeUrlFromEnv } from '../store';
import { temporalConfig, type TemporalConfig } from '../temporal';
import { repositorySettingsOf } from './repository-settings';

/**
 * How many tasks a worker runs at once (the Temporal SDK's default): as many as it could start eagerly from one
 * step of a flow.
 */
const DEFAULT_EAGER_TASKS = 100;

const env = z.object({
  SLUICE_TASK_QUEUE: z.string().trim().min(1).optional(),
  SLUICE_WORKFLOWS: z.string().trim().min(1).default('workflows'),
  SLUICE_ACTIVITIES: z.string().trim().min(1).default('activities'),
  SLUICE_SHUTDOWN_GRACE: z.string().trim().min(1).default('30s'),
  SLUICE_FLOWS_BUNDLE: z.string().trim().min(1).optional(),
  SLUICE_LOG_ECHO: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('WARN'),
  SLUICE_EAGER_TASKS: z.coerce.number().int().min(0).default(DEFAULT_EAGER_TASKS),
  SLUICE_HEALTH_FILE: z.string().trim().min(1).optional(),
  SLUICE_URL: z.url({ protocol: /^https?$/, error: 'must be the web app\'s base URL, e.g. http://web:3000' }).optional(),
  SLUICE_WORKER_TOKEN: z.string().trim().min(1).optional(),
  DATABASE_URL: z.string().optional(),
  SLUICE_SPOOL_DIR: z.string().trim().min(1).optional(),
  SLUICE_DATA_DIR: z.string().trim().min(1).default('data'),
  SLUICE_SPOOL_MAX_BYTES: z.coerce.number().int().min(1024 * 1024).default(1024 ** 3),
  SLUICE_REPLAY_MAX_RUNS: z.coerce.number().int().min(0).default(100),
  SLUICE_REPLAY_BUDGET_SECONDS: z.coerce.number().positive().default(60),
});

/** The task queue of a repository that records none (Sluice's own examples record this one). */
export const DEFAULT_TASK_QUEUE = 'sluice';

export interface WorkerConfig {
  /**
   * The task queue it polls: SLUICE_TASK_QUEUE, else the repository's own (package.json "sluice.taskQueue"),
   * else `sluice`.
   */
  taskQueue: string;
  /**
   * The repository's identity (package.json "sluice.repository", else its "name"): it owns the flows and schedules
   * this worker publishes, and no worker of another repository changes them. None outside a package.
   */
  repository?: string;
  workflowsPath: string;
  activitiesPath: string;
  /** How long running tasks may go on after SIGTERM before they are cancelled. */
  shutdownGraceTime: string;
  /** From which level flow and task log lines are echoed to the worker's output (all go to the store). */
  logEcho: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /**
   * Of the tasks one step of a flow schedules on this worker's own queue, how many start here at once, in the
   * reply to that step (eager), instead of going through the task queue; the rest wait there for any worker.
   * The SDK's default is 3: a flow fanning out to 200 tasks then sent 197 of them the long way. A low value
   * spreads a fan-out over several workers of one queue; 0 sends every task through the queue.
   */
  eagerTasks: number;
  /**
   * Where the worker writes its health report (./health.ts) for the container's healthcheck to read; none when
   * absent. The worker images set it.
   */
  healthFile?: string;
  /**
   * The log spool of this worker's task queue (SLUICE_SPOOL_DIR, default `spool` in SLUICE_DATA_DIR, ./data/spool; then the queue's name): every
   * line is appended there before it is sent, and a task's lines are on disk before Temporal records it completed.
   */
  spoolDir: string;
  /** Most bytes the spool keeps while the store is unreachable (SLUICE_SPOOL_MAX_BYTES, default 1 GiB). */
  spoolMaxBytes: number;
  /**
   * The start-up replay check (sdk/src/replay/start-up-replay.ts): at most `maxRuns` open runs of the queue
   * (SLUICE_REPLAY_MAX_RUNS, default 100; 0 turns it off) within `budgetMs` (SLUICE_REPLAY_BUDGET_SECONDS, default 60).
   */
  replay: { maxRuns: number; budgetMs: number };
  /** Flows bundled ahead by `sluice build`; bundled at start when absent. */
  flowsBundle?: string;
  storeUrl: string;
  /**
   * Remote mode: the web app's base URL (SLUICE_URL) and the worker token (SLUICE_WORKER_TOKEN) the worker API
   * takes, when both are set and DATABASE_URL is not. Absent: direct mode, the store at `storeUrl`.
   */
  remote?: { url: string; token: string };
  /** Where Temporal is and how to connect (TEMPORAL_*: address, namespace, TLS, API key). */
  temporal: TemporalConfig;
}

export function workerConfigFromEnv(source: Record<string, string | undefined> = process.env): WorkerConfig {
  const parsed = env.safeParse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid worker settings in the environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  let remote: WorkerConfig['remote'];
  if (!e.DATABASE_URL && (e.SLUICE_URL || e.SLUICE_WORKER_TOKEN)) {
    // Half of remote mode would silently fall back to a local SQLite file nobody reads: refuse it.
    if (!e.SLUICE_URL) throw new Error('SLUICE_WORKER_TOKEN is set but SLUICE_URL is not: set SLUICE_URL to the web app\'s base URL (e.g. http://web:3000).');
    if (!e.SLUICE_WORKER_TOKEN) {
      throw new Error('SLUICE_URL is set but SLUICE_WORKER_TOKEN is not: an admin creates a worker token for this worker\'s task queue (Tokens page, role worker; or npm run user -- token create NAME --role worker --queues QUEUE).');
    }
    remote = { url: e.SLUICE_URL, token: e.SLUICE_WORKER_TOKEN };
  }
  const temporal = temporalConfig();
  const workflowsPath = path.resolve(e.SLUICE_WORKFLOWS);
  const repository = repositorySettingsOf(workflowsPath);
  const taskQueue = e.SLUICE_TASK_QUEUE ?? repository.taskQueue ?? DEFAULT_TASK_QUEUE;
  return {
    taskQueue,
    repository: repository.repository,
    workflowsPath,
    activitiesPath: path.resolve(e.SLUICE_ACTIVITIES),
    shutdownGraceTime: e.SLUICE_SHUTDOWN_GRACE,
    logEcho: e.SLUICE_LOG_ECHO,
    eagerTasks: e.SLUICE_EAGER_TASKS,
    flowsBundle: e.SLUICE_FLOWS_BUNDLE && path.resolve(e.SLUICE_FLOWS_BUNDLE),
    healthFile: e.SLUICE_HEALTH_FILE && path.resolve(e.SLUICE_HEALTH_FILE),
    spoolDir: path.resolve(e.SLUICE_SPOOL_DIR ?? path.join(e.SLUICE_DATA_DIR, 'spool'), queueDirName(taskQueue)),
    spoolMaxBytes: e.SLUICE_SPOOL_MAX_BYTES,
    replay: { maxRuns: e.SLUICE_REPLAY_MAX_RUNS, budgetMs: e.SLUICE_REPLAY_BUDGET_SECONDS * 1000 },
    storeUrl: storeUrlFromEnv(source),
    remote,
    temporal,
  };
}

/** A task queue's name as a directory name: any name is a valid queue, not every one a valid file name. */
function queueDirName(taskQueue: string): string {
  const safe = taskQueue.replace(/[^\w.-]/g, '_');
  return safe === taskQueue && !/^\.+$/.test(safe) ? safe : `${safe.replace(/^\.+/, '_')}-${createHash('sha256').update(taskQueue).digest('hex').slice(0, 12)}`;
}
