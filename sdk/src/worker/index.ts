// `sluice/internal/worker`: for the Sluice web app and Sluice's own tools and tests; no semver, it may change in any
// release. A workflow repository uses `sluice`, `sluice/flow`, `sluice/client` and `sluice/testing`.
// The worker: what `sluice worker` runs, for programs that start one themselves.
export { DEFAULT_TASK_QUEUE, workerConfigFromEnv, type WorkerConfig } from './config';
export { repositorySettingsOf, RepositorySettingsError, type RepositorySettings } from './repository-settings';
export { HEALTH_CONTRACT, healthOf, problemWithReport, writeHealthReport, type HealthReport } from './health';
export { catalogOf, declaredRulesOf, loadProject, ProjectError, type LoadedFlow, type Project } from './project';
export { runWorker } from './run-worker';
export { TemporalUnreachableError } from '../temporal/connection';
export { bundleFlows } from './bundle';
export { adoptSchedules, syncDeployments, type Adoption, type DeclaredFlow, type ScheduleOwner, type SyncReport } from '../schedules';
export { claimFlowNames, queueIsLive, LIVE_QUEUE_WINDOW_MS, type TakeOver } from './flow-names';
export { deploymentProblems, RUN_DEFAULTS, scheduleIdOf, scheduleSpecOf } from '../deployments';
export { parameterSchemaProblems } from '../parameter-schema';
export { LogSpool, openLogSpool, spoolSummary, type LogSpoolClosed, type LogSpoolOptions, type LogSpoolStats } from './log-spool';
