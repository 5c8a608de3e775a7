/**
 * Sluice for tasks: `task()`, `log`, `progress()` and the rest of a task's toolkit. Flows import from
 * `sluice/flow` (sandbox-safe), programs that start and read runs from `sluice/client`, tests from
 * `sluice/testing`.
 *
 * @example
 * import { log, task } from 'sluice';
 * export const download = task({ retries: 5, timeout: '2m' }, async function download(url: string) { ... });
 */
export * from './task';
export { SluiceError, type ErrorKind } from './errors';
