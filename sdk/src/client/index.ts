/**
 * `sluice/client`: start runs, wait for them, read their status, logs and history, answer their questions,
 * from any Node program (a script, a service, a test). The web app is built on the same client.
 *
 * @example
 * import { SluiceClient } from 'sluice/client';
 * const sluice = await SluiceClient.connect();
 * const run = await sluice.start('rainfallReport', { station: 'DeBilt' });
 * const result = await sluice.waitForResult(run);
 *
 * @packageDocumentation
 */
export { SluiceClient, type ConnectOptions, type ParametersOf, type StartOptions } from './sluice-client';
export {
  AnswerNotTakenError,
  BackfillNotFoundError,
  FlowGoneError,
  InvalidAnswerError,
  InvalidBackfillError,
  InvalidPageTokenError,
  InvalidParametersError,
  NotWaitingError,
  RunFailedError,
  RunNotFoundError,
  UnknownDeploymentError,
  UnknownFlowError,
} from './errors';
export { SluiceError, type ErrorKind } from '../errors';
export { verifySignature } from '../notify/signature';
export {
  RUN_STATUSES,
  type DeploymentInfo,
  type LimitState,
  type SlotWait,
  type DeploymentTimes,
  type FlowInfo,
  type RunDetail,
  type RunFailure,
  type RunFilter,
  type RunPage,
  type RunRef,
  type RunStatus,
  type RunSummary,
  type StartedBy,
  type StuckRun,
  type TaskInfo,
  type TaskProgress,
  type TaskRun,
  type TriggerDeclaration,
} from './types';
export type { AnswerInput, Question } from '../questions';
export type { ParameterIssue } from '../parameters';
export type { LogLevel, LogQuery, StoredLog } from '../store/types';
export type { BackfillInfo, BackfillPreview } from '../backfill/types';
export type { BackfillRequest } from '../backfill/plan';
export { MAX_BACKFILL_SLOTS, MAX_BACKFILL_RUNNING } from '../backfill/types';
