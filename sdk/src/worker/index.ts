// The worker: what `sluice worker` runs, for programs that start one themselves.
export { workerConfigFromEnv, type WorkerConfig } from './config';
export { catalogOf, declaredRulesOf, loadProject, ProjectError, type LoadedFlow, type Project } from './project';
export { runWorker, TemporalUnreachableError } from './run-worker';
export { bundleFlows } from './bundle';
export { syncDeployments, type DeclaredFlow, type SyncReport } from '../schedules';
export { deploymentProblems, scheduleIdOf, scheduleSpecOf } from '../deployments';
