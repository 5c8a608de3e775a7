/**
 * What a run asks a person (`ask()` in a flow) and how the answer comes back, shared by the flow (sandbox side)
 * and the client, web app and notifier (Node side). Sandbox-safe: types and constants only.
 *
 * The run keeps its questions in its memo (QUESTIONS_MEMO), so anyone who can describe the run reads them
 * — while no worker runs, and after the run closed — and sets the SluiceWaiting search attribute while one
 * is open, so the runs list finds waiting runs. An answer is a Temporal Update (ANSWER_UPDATE): its arguments,
 * who answered included, stay in the run's history.
 */

/** One question of a run, open or closed. */
export interface Question {
  /** `q1`, `q2`, … in the order the run asked them. */
  id: string;
  question: string;
  /** What the question is about: a line of text, or the key of an artifact the run made. */
  about: string | null;
  /** JSON Schema of the answer (from the zod schema the flow passed): the web form is drawn from it. */
  schema: Record<string, unknown>;
  /** The value used when no one answers before `timeoutAt`; null when there is none. */
  default: unknown;
  askedAt: string;
  timeoutAt: string | null;
  /** open; answered by a person; defaulted (no answer in time, the default used); timed_out (no answer, no default). */
  status: 'open' | 'answered' | 'defaulted' | 'timed_out';
  answer: unknown;
  /** Who answered (`user:…`, `token:…`); null unless answered. */
  answeredBy: string | null;
  answeredAt: string | null;
}

/** The answer a caller sends: to which question (the open one when left out), the value, and who gives it. */
export interface AnswerInput {
  question?: string;
  value: unknown;
  by: string;
}

export const QUESTIONS_MEMO = 'sluiceQuestions';
export const ANSWER_UPDATE = 'sluice.answer';
/** The value of the SluiceWaiting search attribute while a run waits for an answer. */
export const WAITING_FOR_INPUT = 'input';

/** Failure types: an answer its schema refuses (details: the issues); an answer to a question not open. */
export const INVALID_ANSWER = 'InvalidAnswer';
export const NOT_WAITING = 'NotWaiting';
/** The failure `ask()` throws when its timeout passed without an answer and it has no default. */
export const QUESTION_TIMED_OUT = 'QuestionTimedOut';
