/**
 * The bare-SDK flows' activity options, written out by hand: what Sluice's `tasks()` gives a task that declares
 * nothing (sdk/task-options.ts DEFAULT_TASK_OPTIONS). bench/overhead.ts checks the two are equal before it
 * measures anything, so the comparison cannot drift apart silently. Sandbox-safe: no imports.
 */
export const RAW_ACTIVITY_OPTIONS = {
  startToCloseTimeout: '10m',
  retry: { maximumAttempts: 4, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
} as const;
