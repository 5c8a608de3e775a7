/** The worker API: its wire shapes, the Node worker's client, and the publish the server and direct mode share. */
export * from './wire';
export { WorkerApiClient, WorkerApiError, type WorkerApiClientOptions } from './client';
export { publishQueueFlows, type QueueFlows } from './publish';
