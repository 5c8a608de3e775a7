// `sluice/internal/worker-api`: for the Sluice web app and Sluice's own tools and tests; no semver, it may change in any
// release. A workflow repository uses `sluice`, `sluice/flow`, `sluice/client` and `sluice/testing`.
/** The worker API: its wire shapes, the Node worker's client, and the publish the server and direct mode share. */
export * from './wire';
export { WorkerApiClient, WorkerApiError, type WorkerApiClientOptions } from './client';
export { publishQueueFlows, type QueueFlows } from './publish';
