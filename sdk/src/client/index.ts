// The client API: what the web app and other programs use to start and read runs.
export * from './errors';
export { SluiceClient, type ConnectOptions, type ParametersOf, type StartOptions } from './sluice-client';
export * from './types';
export { openQuestionOf } from './answers';
export { QUESTION_TIMED_OUT, type AnswerInput, type Question } from '../questions';
export type { BackfillInfo, BackfillPreview } from '../backfill/types';
export type { BackfillRequest } from '../backfill/plan';
export { MAX_BACKFILL_SLOTS, MAX_BACKFILL_RUNNING } from '../backfill/types';
