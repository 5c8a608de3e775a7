'use server';
/**
 * The run page's server actions: cancel a run, and re-run it with the same parameters. Each checks the caller's
 * role first (operator), then its input, and answers with a readable message. (Re-running with changed parameters
 * goes through the run form: flows/actions.ts.)
 */
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { authorizeAction } from '@/lib/auth/guard';
import { readableError } from '@/lib/home-presenter';
import { runHref } from '@/lib/links';
import { cancelRun, rerunSame } from '@/lib/run-commands';
import { getSluice } from '@/lib/sluice.server';

export interface RunActionState {
  error?: string;
  message?: string;
}

const text = (v: FormDataEntryValue | null) => (typeof v === 'string' ? v : '');

export async function runAction(_state: RunActionState, formData: FormData): Promise<RunActionState> {
  let user;
  try {
    user = await authorizeAction('operator');
  } catch (err) {
    return { error: (err as Error).message };
  }
  const intent = text(formData.get('intent'));
  const ref = { workflowId: text(formData.get('workflowId')), runId: text(formData.get('runId')) };
  let client;
  try {
    client = await getSluice();
  } catch (err) {
    return { error: `Sluice cannot reach Temporal right now: ${readableError(err)}` };
  }
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
