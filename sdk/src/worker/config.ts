/** The worker's settings, read from the environment once. */
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
  /** Flows bundled ahead by `sluice build`; bundled at start when absent. */
  flowsBundle?: string;
  storeUrl: string;
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
  const temporal = temporalConfig();
  const workflowsPath = path.resolve(e.SLUICE_WORKFLOWS);
  const repository = repositorySettingsOf(workflowsPath);
  return {
    taskQueue: e.SLUICE_TASK_QUEUE ?? repository.taskQueue ?? DEFAULT_TASK_QUEUE,
    repository: repository.repository,
    workflowsPath,
    activitiesPath: path.resolve(e.SLUICE_ACTIVITIES),
    shutdownGraceTime: e.SLUICE_SHUTDOWN_GRACE,
    logEcho: e.SLUICE_LOG_ECHO,
    eagerTasks: e.SLUICE_EAGER_TASKS,
    flowsBundle: e.SLUICE_FLOWS_BUNDLE && path.resolve(e.SLUICE_FLOWS_BUNDLE),
    healthFile: e.SLUICE_HEALTH_FILE && path.resolve(e.SLUICE_HEALTH_FILE),
    storeUrl: storeUrlFromEnv(source),
    temporal,
  };
}
