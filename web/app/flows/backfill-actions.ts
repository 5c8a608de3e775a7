'use server';
/**
 * The deployment page's backfill actions: preview and start a backfill, cancel one as a whole. Operator only,
 * input checked before anything starts; answers are readable messages beside the form.
 */
import { revalidatePath } from 'next/cache';
import { readableError } from '@/lib/readable-error';
import { flowHref } from '@/lib/links';
import { backfillCommand } from '@/lib/run-commands';
import { operatorAndClient } from '@/lib/operator.server';
import type { DeploymentFormState } from './actions';

const text = (v: FormDataEntryValue | null) => (typeof v === 'string' ? v : '');

export async function backfillAction(_state: DeploymentFormState, formData: FormData): Promise<DeploymentFormState> {
  const ready = await operatorAndClient();
  if ('error' in ready) return { error: ready.error };
  const intent = text(formData.get('intent'));
  if (intent !== 'preview' && intent !== 'start') return { error: `Unknown action “${intent.slice(0, 40)}”: use the Preview or Start backfill buttons.` };
  const input = {
    flow: text(formData.get('flow')),
    deployment: text(formData.get('deployment')),
    from: text(formData.get('from')),
    to: text(formData.get('to')),
    maxRunning: text(formData.get('maxRunning')) || undefined,
  };
  const outcome = await backfillCommand(ready.client, intent, input, ready.user.startedBy);
  if (!outcome.ok) return { error: outcome.error, fieldErrors: outcome.fieldErrors };
  if (intent === 'start') revalidatePath(flowHref(input.flow));
  return { message: outcome.message };
}

export async function cancelBackfillAction(_state: DeploymentFormState, formData: FormData): Promise<DeploymentFormState> {
  const ready = await operatorAndClient();
  if ('error' in ready) return { error: ready.error };
  const id = text(formData.get('id'));
  try {
    const cancelled = await ready.client.cancelBackfill(id);
    revalidatePath(flowHref(text(formData.get('flow'))));
    return { message: cancelled ? 'Cancelling: no more runs start, running ones are asked to stop.' : 'It had ended already.' };
  } catch (err) {
    return { error: readableError(err, 'cancel the backfill') };
  }
}
