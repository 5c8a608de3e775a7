/**
 * `ask()`: a flow waits for a person's answer — an approval, a choice, a number — checked against a zod schema,
 * as a run's parameters are. The wait is durable (a Temporal Update ends it: worker and server restarts keep
 * it), the run page shows the question with a form drawn from the schema, and the people a rule names
 * (`notify: [{ on: ['asked'], channels: [...] }]`) are told, with a link.
 *
 * Sandbox-safe: flows import it through `sluice/flow`.
 *
 * @example
 * const { value } = await ask('Load these 12 anomalies?', z.object({ load: z.boolean() }), {
 *   about: '12 readings above 80 mm/h at Eelde', timeout: '2h', default: { load: false },
 * });
 * if (value.load) await loadAnomalies(anomalies);
 */
import { ApplicationFailure, condition, defineUpdate, setHandler, upsertMemo, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { toJSONSchema, type z } from 'zod';
import type { Duration } from './notify/types';
import { parameterSchemaProblems } from './parameter-schema';
import { parseParameters, type ParameterIssue } from './parameters';
import { ANSWER_UPDATE, INVALID_ANSWER, NOT_WAITING, QUESTION_TIMED_OUT, QUESTIONS_MEMO, WAITING_FOR_INPUT, type AnswerInput, type Question } from './questions';
import { WAITING_KEY } from './run-attributes';
import { durationToMs } from './temporal/time';

/**
 * How `ask()` asks: what it is about, how long to wait, and the answer when nobody answers in time.
 *
 * @example
 * const options: AskOptions<typeof decision> = { about: 'anomalies', timeout: '2h', default: { load: false } };
 */
export interface AskOptions<S extends z.ZodType> {
  /** What the question is about, shown above the form: a line of text, or the key of an artifact the run made. */
  about?: string;
  /**
   * How long to wait (e.g. '2h', '30 minutes'). When it passes without an answer, `default` is used; without a
   * default, `ask()` throws a QuestionTimedOut failure (the run fails unless the flow catches it). Without a
   * timeout the run waits until answered, or until its own run timeout ends it.
   */
  timeout?: Duration;
  /** The answer when no one answers within `timeout`; the form starts from it too. Checked against the schema. */
  default?: z.input<S>;
}

/**
 * What `ask()` resolves to: the answer checked by the schema, who gave it and when.
 *
 * @example
 * const answer: Answer<{ load: boolean }> = await ask('Load these readings?', z.object({ load: z.boolean() }));
 * log.info('answered', { by: answer.by, defaulted: answer.defaulted });
 */
export interface Answer<T> {
  value: T;
  /** Who answered (`user:ann@example.org`, `token:…`); null when the default was used. */
  by: string | null;
  at: string;
  /** True when no one answered in time and the default was used. */
  defaulted: boolean;
}

const answerUpdate = defineUpdate<Question, [AnswerInput]>(ANSWER_UPDATE);

// Per run: Temporal gives every workflow its own module state.
const asked: Question[] = [];
let open: { question: Question; schema: z.ZodType } | undefined;
let handlerSet = false;

const refuse = (message: string, type = 'InvalidQuestion') => ApplicationFailure.create({ type, message, nonRetryable: true });

/**
 * Waits until a person answers `question` (on the run page, through the API, or `SluiceClient.answer`) with a
 * value `schema` accepts, and returns it. An answer the schema refuses is refused to its sender, field by field;
 * the run keeps waiting. One question at a time: await each `ask()` before the next.
 *
 * @example
 * const { value } = await ask('Load the 12 readings above 80 mm/h?', z.object({ load: z.boolean() }), { timeout: '2h', default: { load: false } });
 * if (value.load) await loadReadings(readings);
 */
export async function ask<S extends z.ZodType>(question: string, schema: S, options: AskOptions<S> = {}): Promise<Answer<z.output<S>>> {
  const flow = workflowInfo().workflowType;
  if (open) throw refuse(`ask("${question}"): the run already waits for an answer to "${open.question.question}"; await each ask() before the next.`);
  const problems = parameterSchemaProblems(flow, schema).map((p) => p.replace(/^flow (\S+), parameter/, `flow $1, ask("${question}"), answer field`));
  if (problems.length) throw refuse(problems.join('\n'));
  let timeoutMs: number | undefined;
  if (options.timeout !== undefined) {
    timeoutMs = durationToMs(options.timeout);
    if (!(timeoutMs > 0)) throw refuse(`ask("${question}"): invalid timeout ${JSON.stringify(options.timeout)} (use e.g. "30 minutes", "2h")`);
  }
  let fallback: { value: z.output<S> } | undefined;
  if (options.default !== undefined) {
    const parsed = parseParameters(flow, schema, options.default);
    if (!parsed.ok) throw refuse(`ask("${question}"): its default does not fit its schema: ${fields(parsed.issues)}`);
    fallback = { value: parsed.value };
  }

  const now = Date.now();
  const q: Question = {
    id: `q${asked.length + 1}`,
    question,
    about: options.about ?? null,
    schema: toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
    default: options.default ?? null,
    askedAt: new Date(now).toISOString(),
    timeoutAt: timeoutMs !== undefined ? new Date(now + timeoutMs).toISOString() : null,
    status: 'open',
    answer: null,
    answeredBy: null,
    answeredAt: null,
  };
  asked.push(q);
  open = { question: q, schema };
  listenForAnswers();
  upsertMemo({ [QUESTIONS_MEMO]: asked });
  upsertSearchAttributes([{ key: WAITING_KEY, value: WAITING_FOR_INPUT }]);

  const answered = timeoutMs === undefined ? (await condition(() => q.status !== 'open'), true) : await condition(() => q.status !== 'open', timeoutMs);
  if (!answered) {
    q.status = fallback ? 'defaulted' : 'timed_out';
    q.answer = fallback ? fallback.value : null;
    q.answeredAt = new Date().toISOString();
  }
  open = undefined;
  upsertMemo({ [QUESTIONS_MEMO]: asked });
  upsertSearchAttributes([{ key: WAITING_KEY, value: null }]);
  if (q.status === 'timed_out') {
    throw ApplicationFailure.create({ type: QUESTION_TIMED_OUT, nonRetryable: true, message: `No answer to "${question}" within ${options.timeout} (and ask() has no default).` });
  }
  return { value: q.answer as z.output<S>, by: q.answeredBy, at: q.answeredAt!, defaulted: q.status === 'defaulted' };
}

const fields = (issues: ParameterIssue[]) => issues.map((i) => `${i.path || '(answer)'}: ${i.message}`).join('; ');

/**
 * The Update that answers: its validator refuses (before anything is written to the history) an answer to a
 * question that is not open, and one the schema refuses, with the issues as the failure's details.
 */
function listenForAnswers(): void {
  if (handlerSet) return;
  handlerSet = true;
  const check = (input: AnswerInput) => {
    if (!open || (input?.question !== undefined && input.question !== open.question.id)) {
      throw ApplicationFailure.create({ type: NOT_WAITING, message: `The run does not wait for an answer${input?.question ? ` to question ${input.question}` : ''} now.` });
    }
    if (typeof input.by !== 'string' || !input.by.trim()) throw ApplicationFailure.create({ type: INVALID_ANSWER, message: 'An answer must say who gives it (by).', details: [[{ path: '', message: 'who answers (by) is missing' }]] });
    const parsed = parseParameters(workflowInfo().workflowType, open.schema, input.value);
    if (!parsed.ok) {
      throw ApplicationFailure.create({ type: INVALID_ANSWER, message: `Invalid answer to "${open.question.question}": ${fields(parsed.issues)}`, details: [parsed.issues] });
    }
    return parsed.value;
  };
  setHandler(
    answerUpdate,
    (input) => {
      const q = open!.question;
      q.answer = check(input);
      q.answeredBy = input.by;
      q.answeredAt = new Date().toISOString();
      q.status = 'answered';
      return { ...q };
    },
    { validator: (input) => void check(input) },
  );
}
