/**
 * What a run asks a person (`ask()` in a flow) and how the answer comes back, shared by the flow (sandbox side)
 * and the client, web app and notifier (Node side). Sandbox-safe: types and constants only.
 *
 * The run keeps its questions in its memo (QUESTIONS_MEMO), so anyone who can describe the run reads them
 * — while no worker runs, and after the run closed — and sets the SluiceWaiting search attribute while one
 * is open, so the runs list finds waiting runs. An answer is a Temporal Update (ANSWER_UPDATE): its arguments,
 * who answered included, stay in the run's history.
 */

/**
 * One question of a run (asked by `ask()` in its flow), open or closed.
 *
 * @example
 * const asked = await sluice.getQuestions(run.workflowId);
 * const open: Question | undefined = asked?.questions.find((q) => q.status === 'open');
 */
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

/**
 * The answer a caller sends: to which question (the open one when left out), the value, and who gives it.
 *
 * @example
 * const input: AnswerInput = { value: { load: true }, by: 'user:ann@example.org' };
 * await sluice.answer(run, input);
 */
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
/**
 * The failure type `ask()` throws when its timeout passed without an answer and it has no default.
 *
 * @example
 * try { await ask('Go on?', z.object({ go: z.boolean() }), { timeout: '1h' }); }
 * catch (e) { if (e instanceof ApplicationFailure && e.type === QUESTION_TIMED_OUT) log.warn('nobody answered'); else throw e; }
 */
export const QUESTION_TIMED_OUT = 'QuestionTimedOut';

/** The open question of a run's questions, if any. */
export const openQuestionOf = (questions: Question[]): Question | undefined => questions.find((q) => q.status === 'open');
