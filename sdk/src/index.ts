/**
 * The `sluice` package for tasks: `task()`, `log`, `progress()`, `publish` and the rest of a task's toolkit.
 *
 * Where each part of a workflow repository imports from (each from one place, by where its code runs):
 * tasks (`activities/`) from `sluice`; flows (`workflows/`, inside Temporal's sandbox) from `sluice/flow`;
 * programs that start and read runs from `sluice/client`; tests from `sluice/testing`. `log`, `publish` and
 * `TaskOptions` work in tasks and flows alike, so both entries have them (the same objects).
 *
 * Everything under `sluice/internal/*` is for the Sluice web app and Sluice's own tools: no semver.
 *
 * @example
 * import { log, task } from 'sluice';
 * export const download = task({ retries: 5, timeout: '2m' }, async function download(url: string) {
 *   log.info('downloading', { url });
 *   return (await fetch(url)).text();
 * });
 *
 * @packageDocumentation
 */
export { task, progress, lastProgress, cancellationSignal, sleep, type Task, type Progress } from './task';
export type { TaskOptions, Duration } from './task-options';
export type { ConcurrencyLimit, RateLimit } from './limits/limit-types';
export { log, type Logger, type LogFields } from './log';
export { publish, ArtifactError, type TableOptions, type ArtifactOptions } from './publish';
export type { Artifact, ChartArtifact, ImageArtifact, LinkArtifact, MarkdownArtifact, TableArtifact } from './artifacts';
export { SluiceError, type ErrorKind } from './errors';
