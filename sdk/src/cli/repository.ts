/**
 * The workflow repository a command works on: the worker settings from the environment with the
 * command's flags over them, and its declarations loaded from TypeScript source as it is (no build step).
 */
import path from 'node:path';
import { register } from 'tsx/cjs/api';
import { workerConfigFromEnv, type WorkerConfig } from '../worker/config';
import { loadProject, type Project } from '../worker/project';

export interface RepositoryFlags {
  workflows?: string;
  activities?: string;
  'task-queue'?: string;
}

/** The flags every command that reads the repository takes, for `parseArgs`. */
export const REPOSITORY_OPTIONS = {
  workflows: { type: 'string' },
  activities: { type: 'string' },
} as const;

export function repositoryConfig(flags: RepositoryFlags): WorkerConfig {
  return workerConfigFromEnv({
    ...process.env,
    ...(flags['task-queue'] && { SLUICE_TASK_QUEUE: flags['task-queue'] }),
    ...(flags.workflows && { SLUICE_WORKFLOWS: flags.workflows }),
    ...(flags.activities && { SLUICE_ACTIVITIES: flags.activities }),
  });
}

let registered = false;

/** Lets require() load workflows/ and activities/ written in TypeScript. */
export function registerTypeScript(): void {
  if (!registered) register();
  registered = true;
}

/** Loads and checks every declaration (throws ProjectError naming each problem). */
export function loadRepository(flags: RepositoryFlags): { config: WorkerConfig; project: Project } {
  const config = repositoryConfig(flags);
  registerTypeScript();
  const project = loadProject(config.workflowsPath, config.activitiesPath);
  releaseCompiler();
  return { config, project };
}

/**
 * Stops the TypeScript compiler's helpers once the repository is loaded: esbuild's service process and the thread
 * that waits on it (about 15 MB of a worker's idle memory, for its whole life). A module required later starts
 * them again.
 */
function releaseCompiler(): void {
  try {
    const esbuild = require(require.resolve('esbuild', { paths: [path.dirname(require.resolve('tsx/cjs/api'))] })) as { stop?: () => unknown };
    void esbuild.stop?.();
  } catch {
    // No esbuild of tsx's to stop: nothing holds that memory.
  }
}
