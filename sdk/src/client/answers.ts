/**
 * Reading what a run asked (its memo, see questions.ts) and answering it (a Temporal Update the flow's validator
 * checks). Errors a caller can cause become InvalidAnswerError, NotWaitingError, RunNotFoundError.
 */
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import type { ParameterIssue } from '../parameters';
import { ANSWER_UPDATE, INVALID_ANSWER, NOT_WAITING, QUESTIONS_MEMO, openQuestionOf, type AnswerInput, type Question } from '../questions';
import { AnswerNotTakenError, InvalidAnswerError, NotWaitingError, RunNotFoundError } from './errors';

/** The questions a run's memo holds, oldest first. */
export function questionsOf(memo: Record<string, unknown> | undefined): Question[] {
  const list = memo?.[QUESTIONS_MEMO];
  return Array.isArray(list) ? (list as Question[]) : [];
}

export async function answerRun(temporal: Client, ref: { workflowId: string; runId?: string }, input: AnswerInput, timeoutMs: number): Promise<Question> {
  const handle = temporal.workflow.getHandle(ref.workflowId, ref.runId);
  let description;
  try {
    description = await handle.describe();
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) throw new RunNotFoundError(ref.workflowId, ref.runId);
    throw e;
  }
  const open = openQuestionOf(questionsOf(description.memo));
  if (description.status.name !== 'RUNNING' || !open) throw new NotWaitingError(`Run ${ref.workflowId} waits for no answer now (${description.status.name === 'RUNNING' ? 'nothing is asked' : 'it has ended'}).`);
  try {
    return await temporal.connection.withDeadline(Date.now() + timeoutMs, () =>
      temporal.workflow.getHandle(ref.workflowId, description.runId).executeUpdate<Question, [AnswerInput]>(ANSWER_UPDATE, { args: [input] }),
    );
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError && e.cause instanceof ApplicationFailure) {
      if (e.cause.type === INVALID_ANSWER) throw new InvalidAnswerError(e.cause.message, (e.cause.details?.[0] as ParameterIssue[] | undefined) ?? []);
      if (e.cause.type === NOT_WAITING) throw new NotWaitingError(e.cause.message);
    }
    // Ended between the describe and the update.
    if (e instanceof WorkflowNotFoundError) throw new NotWaitingError(`Run ${ref.workflowId} waits for no answer now (it has ended).`);
    if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) throw new AnswerNotTakenError(ref.workflowId, description.taskQueue, Math.round(timeoutMs / 1000));
    throw e;
  }
}
