// Values of temporal.api.enums.v1 that Sluice sends: the SDK's generated enums are types only, not values.

/** TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW: a queue's flow (workflow task) side, as opposed to its tasks. */
export const TASK_QUEUE_TYPE_WORKFLOW = 1;
/** TaskQueueKind.TASK_QUEUE_KIND_NORMAL: a queue by its name, not a worker's sticky queue. */
export const TASK_QUEUE_KIND_NORMAL = 1;
