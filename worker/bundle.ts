/**
 * Builds the workflow bundle: the flows, run in Temporal's sandbox. Task options are baked in as a constant
 * (see `tasks()` in sdk/flow), since the sandbox may not load the tasks' implementations.
 */
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import webpack from 'webpack';
import type { TaskOptions } from '../sdk/task-options';

export async function bundleFlows(workflowsPath: string, taskOptions: Record<string, TaskOptions>): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath,
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never,
    webpackConfigHook: (config) => {
      config.plugins = [...(config.plugins ?? []), new webpack.DefinePlugin({ __SLUICE_TASK_OPTIONS__: JSON.stringify(taskOptions) })];
      return config;
    },
  });
}
