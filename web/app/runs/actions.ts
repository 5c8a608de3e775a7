'use server';
/**
 * The run page's server actions: cancel a run, re-run it with the same parameters, answer its question. Each checks the caller's
 * role first (operator), then its input, and answers with a readable message. (Re-running with changed parameters
 * goes through the run form: flows/actions.ts.)
 */
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import type { SluiceClient } from 'sluice/client';
import { authorizeAction, type SessionUser } from '@/lib/auth/guard';
import { readableError } from '@/lib/readable-error';
import { runHref } from '@/lib/links';
import { answerFromForm, cancelRun, rerunSame } from '@/lib/run-commands';
import type { RunFormState } from '@/components/run-form';
import { getSluice } from '@/lib/sluice.server';

export interface RunActionState {
  error?: string;
  message?: string;
}

const text = (v: FormDataEntryValue | null) => (typeof v === 'string' ? v : '');

/** The caller, if an operator (or admin), and the client; else the readable reason why not. */
async function operatorAndClient(): Promise<{ user: SessionUser; client: SluiceClient } | { error: string }> {
  let user;
  try {
    user = await authorizeAction('operator');
  } catch (err) {
    return { error: (err as Error).message };
  }
  try {
    return { user, client: await getSluice() };
  } catch (err) {
    return { error: readableError(err, 'reach Temporal and the store') };
  }
}

export async function runAction(_state: RunActionState, formData: FormData): Promise<RunActionState> {
  const ready = await operatorAndClient();
  if ('error' in ready) return { error: ready.error };
  const { user, client } = ready;
  const intent = text(formData.get('intent'));
  const ref = { workflowId: text(formData.get('workflowId')), runId: text(formData.get('runId')) };
  if (intent === 'cancel') {
    const outcome = await cancelRun(client, ref);
    if (!outcome.ok) return { error: outcome.error };
    revalidatePath(runHref(ref));
    revalidatePath('/runs');
    return { message: outcome.message };
  }
  if (intent === 'rerun') {
    const outcome = await rerunSame(client, ref, user.startedBy);
    if (!outcome.ok) return { error: outcome.error };
    revalidatePath('/runs');
    redirect(runHref(outcome.value));
  }
  return { error: `Unknown action “${intent.slice(0, 40)}”: use the Cancel or Re-run buttons.` };
}

/** The question form's action: answers the question the run waits on (operator), field errors beside the fields. */
export async function answerAction(_state: RunFormState, formData: FormData): Promise<RunFormState> {
  const ready = await operatorAndClient();
  if ('error' in ready) return { error: ready.error };
  const { user, client } = ready;
  const ref = { workflowId: text(formData.get('workflowId')), runId: text(formData.get('runId')) };
  const outcome = await answerFromForm(client, {
    ...ref,
    question: text(formData.get('question')),
    get: (name) => formData.getAll(name).map((v) => (typeof v === 'string' ? v : '')),
    by: user.startedBy,
  });
  if (!outcome.ok) return { error: outcome.error, fieldErrors: outcome.fieldErrors };
  revalidatePath(runHref(ref));
  revalidatePath('/runs');
  revalidatePath('/');
  return {};
}
