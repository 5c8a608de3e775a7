'use server';
/**
 * The flows pages' server actions: start a run from the generated form, and pause, resume or run a deployment
 * now. Each checks the caller's role first (operator), then its input, and answers the form with readable
 * errors; nothing starts on bad input.
 */
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { authorizeAction, type SessionUser } from '@/lib/auth/guard';
import { readableError } from '@/lib/readable-error';
import { flowHref, runHref } from '@/lib/links';
import { deploymentCommand, startFromForm, type DeploymentCommand } from '@/lib/run-commands';
import { getSluice } from '@/lib/sluice.server';
import type { RunFormState } from '@/components/run-form';

export interface DeploymentFormState {
  error?: string;
  message?: string;
  fieldErrors?: Record<string, string>;
}

const text = (v: FormDataEntryValue | null) => (typeof v === 'string' ? v : '');

async function authorized(): Promise<{ user: SessionUser } | { error: string }> {
  try {
    return { user: await authorizeAction('operator') };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

async function client() {
  try {
    return { client: await getSluice() };
  } catch (err) {
    return { error: readableError(err, 'reach Temporal and the store') };
  }
}

/** The run form's action: starts a run of a flow, of a deployment, or re-runs a run with changed parameters. */
export async function startRunAction(_state: RunFormState, formData: FormData): Promise<RunFormState> {
  const auth = await authorized();
  if ('error' in auth) return { error: auth.error };
  const c = await client();
  if ('error' in c) return { error: c.error };
  const fromWorkflowId = text(formData.get('fromWorkflowId'));
  const outcome = await startFromForm(c.client, {
    flow: text(formData.get('flow')),
    deployment: text(formData.get('deployment')) || undefined,
    from: fromWorkflowId ? { workflowId: fromWorkflowId, runId: text(formData.get('fromRunId')) } : undefined,
    get: (name) => formData.getAll(name).map((v) => (typeof v === 'string' ? v : '')),
    startedBy: auth.user.startedBy,
  });
  if (!outcome.ok) return { error: outcome.error, fieldErrors: outcome.fieldErrors };
  revalidatePath('/');
  revalidatePath('/runs');
  redirect(runHref(outcome.value));
}

/** Pause, resume (with an optional note) or run a deployment now; which one is the pressed button's `intent`. */
export async function deploymentAction(_state: DeploymentFormState, formData: FormData): Promise<DeploymentFormState> {
  const auth = await authorized();
  if ('error' in auth) return { error: auth.error };
  const intent = text(formData.get('intent'));
  if (intent !== 'pause' && intent !== 'resume' && intent !== 'trigger') {
    return { error: `Unknown action “${intent.slice(0, 40)}”: use the Pause, Resume or Run now buttons.` };
  }
  const c = await client();
  if ('error' in c) return { error: c.error };
  const input = { flow: text(formData.get('flow')), deployment: text(formData.get('deployment')), note: text(formData.get('note')) || undefined };
  const outcome = await deploymentCommand(c.client, intent as DeploymentCommand, input, auth.user);
  if (!outcome.ok) return { error: outcome.error, fieldErrors: outcome.fieldErrors };
  revalidatePath(flowHref(input.flow));
  revalidatePath('/flows');
  revalidatePath('/');
  if (intent === 'trigger' && outcome.value) redirect(runHref(outcome.value));
  return { message: outcome.message };
}
