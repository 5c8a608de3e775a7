/**
 * What a run asked people (`ask()` in its flow): the open question with a form drawn from its schema — for
 * operators and admins; a viewer reads the question only — and the questions answered before, with who answered
 * and when. The form is the run form (one form builder); its action answers the question.
 */
import type { Question } from 'sluice/client';
import { answerAction } from '@/app/runs/actions';
import { formatStartedBy } from '@/lib/format';
import { JsonBlock } from './json-block';
import { RunForm } from './run-form';
import { TimeAgo } from './time-ago';

export function QuestionPanel({ questions, running, canAnswer, workflowId, runId }: { questions: Question[]; running: boolean; canAnswer: boolean; workflowId: string; runId: string }) {
  if (questions.length === 0) return null;
  const open = running ? questions.find((q) => q.status === 'open') : undefined;
  const closed = questions.filter((q) => q !== open);
  return (
    <section className="panel" aria-labelledby="questions-title" data-testid="questions">
      <h2 id="questions-title">{open ? 'Waiting for input' : 'Questions'}</h2>
      {open && (
        <div data-testid="open-question" data-question={open.id}>
          <p className="question">
            <strong>{open.question}</strong>
          </p>
          {open.about && <p className="muted" data-testid="question-about">About: {open.about}</p>}
          <p className="muted">
            Asked <TimeAgo iso={open.askedAt} />.{' '}
            {open.timeoutAt ? (
              <>
                Without an answer by <TimeAgo iso={open.timeoutAt} absolute />, {open.default !== null ? 'the run continues with the default.' : 'the run fails.'}
              </>
            ) : (
              'The run waits until someone answers.'
            )}
          </p>
          {canAnswer ? (
            <RunForm
              schema={open.schema}
              values={open.default ?? undefined}
              hidden={{ workflowId, runId, question: open.id }}
              action={answerAction}
              submitLabel="Send answer"
              pendingLabel="Sending…"
              testId="answer-form"
            />
          ) : (
            <p className="notice" data-testid="answer-not-allowed">
              Operators and admins can answer; you can read the question.
            </p>
          )}
        </div>
      )}
      {closed.length > 0 && (
        <ul className="questions" data-testid="closed-questions">
          {closed.map((q) => (
            <li key={q.id} data-question={q.id} data-status={q.status}>
              <strong>{q.question}</strong>
              {q.about && <span className="muted"> — about: {q.about}</span>}
              <div className="muted">
                {q.status === 'answered' && (
                  <>
                    Answered by <span data-testid="answered-by">{formatStartedBy(q.answeredBy)}</span> <TimeAgo iso={q.answeredAt} absolute />
                  </>
                )}
                {q.status === 'defaulted' && (
                  <>
                    No answer by <TimeAgo iso={q.timeoutAt} absolute />: the default was used
                  </>
                )}
                {q.status === 'timed_out' && (
                  <>
                    No answer by <TimeAgo iso={q.timeoutAt} absolute />
                  </>
                )}
                {q.status === 'open' && <>Not answered: the run ended first</>}
              </div>
              {(q.status === 'answered' || q.status === 'defaulted') && <JsonBlock value={q.answer} label={`Answer to ${q.question}`} />}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
