/**
 * What the pages' server actions do once the caller is authorized: start a run from the generated form, cancel,
 * re-run, pause/resume/trigger a deployment. They take the client (so tests pass the real one) and return
 * a readable outcome instead of throwing for anything a user can cause.
 *
 * @example
 * const outcome = await startFromForm(client, { flow: 'rainfall', get: (n) => formData.getAll(n).map(String), startedBy: user.startedBy });
 */
import { z } from 'zod';
import type { SluiceClient } from 'sluice/client';
import { FlowGoneError, InvalidAnswerError, InvalidParametersError, RunNotFoundError, UnknownDeploymentError, UnknownFlowError } from 'sluice/client';
import { openQuestionOf } from 'sluice/internal/types';
import type { Question, RunRef } from 'sluice/client';
import { readableError } from './readable-error';
import { formFromSchema, issuesToFieldErrors, parseFormValues, relaxRequired, type FieldErrors } from './json-schema-form';

export type Outcome<T = undefined> =
  | { ok: true; value: T; message?: string }
  | { ok: false; error: string; fieldErrors?: FieldErrors };

/**
 * Errors a user can cause become their message, the rest a readable one (sluice/errors' mapper; the server log
 * keeps the details). `instanceof` holds across Next's bundles: Sluice's errors are recognised by a brand.
 */
function failed(err: unknown, doing: string): { ok: false; error: string; fieldErrors?: FieldErrors } {
  return { ok: false, error: readableError(err, doing) };
}

const name = z.string().trim().min(1, 'is missing').max(300, 'is too long');
const runRef = z.object({ workflowId: name, runId: name });

function firstIssue(error: z.ZodError, what: string): string {
  const issue = error.issues[0];
  return `The ${what}'s ${issue?.path.join('.') || 'input'} ${issue?.message ?? 'is invalid'}. Reload the page and try again.`;
}

export interface StartRequest {
  flow: string;
  /** Start this deployment (its parameters, overridden by the form's). */
  deployment?: string;
  /** Re-run this run with the form's parameters. */
  from?: RunRef;
  /** Every value submitted under an input name (FormData.getAll). */
  get: (inputName: string) => string[];
  startedBy: string;
}

/**
 * Reads the form against the flow's published schema (field errors, nothing started), then starts the run; the
 * client checks the flow's schema once more and its issues come back beside their fields too.
 */
export async function startFromForm(client: Pick<SluiceClient, 'getFlow' | 'start' | 'startDeployment' | 'rerun'>, request: StartRequest): Promise<Outcome<RunRef>> {
  const ids = z.object({ flow: name, deployment: name.optional(), from: runRef.optional() }).safeParse(request);
  if (!ids.success) return { ok: false, error: firstIssue(ids.error, 'form') };
  try {
    const flow = await client.getFlow(ids.data.flow);
    if (!flow) return { ok: false, error: new UnknownFlowError(ids.data.flow).message };
    if (flow.goneAt) return { ok: false, error: new FlowGoneError(flow.name, flow.taskQueue, new Date(flow.goneAt)).message };
    const declared = ids.data.deployment ? flow.deployments.find((d) => d.name === ids.data.deployment) : undefined;
    if (ids.data.deployment && !declared) return { ok: false, error: new UnknownDeploymentError(flow.name, ids.data.deployment).message };
    const form = relaxRequired(formFromSchema(flow.parametersSchema), Object.keys(declared?.parameters ?? {}));
    const { values, errors } = parseFormValues(form, request.get);
    if (Object.keys(errors).length > 0) return { ok: false, error: 'Some parameters need fixing: see the fields marked below.', fieldErrors: errors };
    try {
      const ref = ids.data.from
        ? await client.rerun(ids.data.from, { parameters: values, startedBy: request.startedBy })
        : ids.data.deployment
          ? await client.startDeployment(flow.name, ids.data.deployment, { parameters: values as Record<string, unknown>, startedBy: request.startedBy })
          : await client.start(flow.name, values, { startedBy: request.startedBy });
      return { ok: true, value: ref };
    } catch (err) {
      if (err instanceof InvalidParametersError) {
        return { ok: false, error: 'The flow refused these parameters: see the fields marked below.', fieldErrors: issuesToFieldErrors(form, err.issues) };
      }
      throw err;
    }
  } catch (err) {
    return failed(err, 'start the run');
  }
}

export interface AnswerRequest extends RunRef {
  /** The question the form answers (its id): an answer meant for an earlier question is not taken for a later one. */
  question: string;
  get: (inputName: string) => string[];
  by: string;
}

/**
 * Reads the answer form against the open question's schema (field errors, nothing sent), then answers; the
 * flow's own check (its zod schema) refuses what the form could not see, beside the fields too.
 */
export async function answerFromForm(client: Pick<SluiceClient, 'getQuestions' | 'answer'>, request: AnswerRequest): Promise<Outcome<Question>> {
  const ids = runRef.extend({ question: name }).safeParse(request);
  if (!ids.success) return { ok: false, error: firstIssue(ids.error, 'form') };
  try {
    const found = await client.getQuestions(ids.data.workflowId, ids.data.runId);
    if (!found) return { ok: false, error: new RunNotFoundError(ids.data.workflowId, ids.data.runId).message };
    const open = found.run.status === 'running' ? openQuestionOf(found.questions) : undefined;
    if (!open || open.id !== ids.data.question) return { ok: false, error: 'The run no longer waits for this answer (answered, timed out or ended meanwhile). Reload the page.' };
    const form = formFromSchema(open.schema);
    const { values, errors } = parseFormValues(form, request.get);
    if (Object.keys(errors).length > 0) return { ok: false, error: 'The answer needs fixing: see the fields marked below.', fieldErrors: errors };
    try {
      return { ok: true, value: await client.answer(ids.data, { question: open.id, value: values, by: request.by }) };
    } catch (err) {
      if (err instanceof InvalidAnswerError) {
        return { ok: false, error: 'The flow refused this answer: see the fields marked below.', fieldErrors: issuesToFieldErrors(form, err.issues) };
      }
      throw err;
    }
  } catch (err) {
    return failed(err, 'answer the question');
  }
}

export async function cancelRun(client: Pick<SluiceClient, 'cancelRun'>, input: unknown): Promise<Outcome> {
  const ref = runRef.safeParse(input);
  if (!ref.success) return { ok: false, error: firstIssue(ref.error, 'run') };
  try {
    await client.cancelRun(ref.data);
    return { ok: true, value: undefined, message: 'Cancellation requested: the run stops when its current task notices.' };
  } catch (err) {
    return failed(err, 'cancel the run');
  }
}

/** Starts the run's flow again with the same parameters. */
export async function rerunSame(client: Pick<SluiceClient, 'rerun'>, input: unknown, startedBy: string): Promise<Outcome<RunRef>> {
  const ref = runRef.safeParse(input);
  if (!ref.success) return { ok: false, error: firstIssue(ref.error, 'run') };
  try {
    return { ok: true, value: await client.rerun(ref.data, { startedBy }) };
  } catch (err) {
    if (err instanceof InvalidParametersError) {
      return { ok: false, error: `${err.message}. The flow's parameters changed since this run: use “Re-run with changes”.` };
    }
    return failed(err, 're-run the run');
  }
}

const deploymentInput = z.object({ flow: name, deployment: name, note: z.string().trim().max(500, 'is too long (500 characters at most)').optional() });

export type DeploymentCommand = 'pause' | 'resume' | 'trigger';

export async function deploymentCommand(
  client: Pick<SluiceClient, 'pauseDeployment' | 'resumeDeployment' | 'triggerDeployment'>,
  command: DeploymentCommand,
  input: unknown,
  user: { startedBy: string; email: string; name: string | null },
): Promise<Outcome<RunRef | undefined>> {
  const parsed = deploymentInput.safeParse(input);
  if (!parsed.success) return { ok: false, error: firstIssue(parsed.error, 'deployment form'), fieldErrors: { note: parsed.error.issues[0]?.message ?? '' } };
  const { flow, deployment, note } = parsed.data;
  // The note says who did it, as Temporal Web shows it too.
  const who = user.email || user.name || user.startedBy;
  try {
    if (command === 'pause') {
      await client.pauseDeployment(flow, deployment, `${note || 'Paused'} (${who})`);
      return { ok: true, value: undefined, message: `Paused ${deployment}: no scheduled run starts until it is resumed.` };
    }
    if (command === 'resume') {
      await client.resumeDeployment(flow, deployment, `${note || 'Resumed'} (${who})`);
      return { ok: true, value: undefined, message: `Resumed ${deployment}.` };
    }
    return { ok: true, value: await client.triggerDeployment(flow, deployment, { startedBy: user.startedBy }) };
  } catch (err) {
    if (err instanceof InvalidParametersError) return { ok: false, error: err.message };
    return failed(err, command === 'trigger' ? 'run the deployment now' : `${command} the deployment`);
  }
}

const backfillInput = z.object({
  flow: name,
  deployment: name,
  from: z.string().trim().min(1, 'is missing: pick the first day'),
  to: z.string().trim().min(1, 'is missing: pick the last day'),
  maxRunning: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').optional(),
});

/**
 * The deployment page's backfill form: `preview` says how many runs it would make (nothing starts), `start`
 * starts it. Both read the range the same way, so what the preview counted is what starts.
 */
export async function backfillCommand(
  client: Pick<SluiceClient, 'previewBackfill' | 'backfill'>,
  intent: 'preview' | 'start',
  input: unknown,
  startedBy: string,
): Promise<Outcome<{ id?: string; runs: number }>> {
  const parsed = backfillInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `The backfill's ${issue?.path.join('.') || 'input'} ${issue?.message ?? 'is invalid'}.`, fieldErrors: { [String(issue?.path[0] ?? 'from')]: issue?.message ?? '' } };
  }
  const { flow, deployment, ...range } = parsed.data;
  try {
    if (intent === 'preview') {
      const p = await client.previewBackfill(flow, deployment, range);
      const pace = p.maxRunning === 1 ? 'one at a time' : `at most ${p.maxRunning} at once`;
      return {
        ok: true,
        value: { runs: p.runs },
        message: p.runs === 0 ? 'No slot of this schedule falls in the range: nothing to run.' : `${p.runs} run${p.runs === 1 ? '' : 's'}, for ${p.firstSlot} … ${p.lastSlot}, ${pace}.`,
      };
    }
    const started = await client.backfill(flow, deployment, range, { startedBy });
    return { ok: true, value: { id: started.id, runs: started.runs }, message: `Backfill started: ${started.runs} runs.` };
  } catch (err) {
    return failed(err, intent === 'preview' ? 'preview the backfill' : 'start the backfill');
  }
}
