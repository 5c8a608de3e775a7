'use server';
/**
 * The run page's server actions: cancel a run, re-run it with the same parameters, answer its question. Each checks the caller's
 * role first (operator), then its input, and answers with a readable message. (Re-running with changed parameters
 * goes through the run form: flows/actions.ts.)
 */
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { runHref } from '@/lib/links';
import { answerFromForm, cancelRun, rerunSame } from '@/lib/run-commands';
import type { RunFormState } from '@/components/run-form';
import { operatorAndClient } from '@/lib/operator.server';
import { actOnRuns, BULK_ACTIONS, MAX_BULK_RUNS, runsMatching, type BulkAction, type BulkResult } from '@/lib/run-actions';
import { parseRunSearch } from '@/lib/run-filters';
import { z } from 'zod';

export interface RunActionState {
  error?: string;
  message?: string;
}

const text = (v: FormDataEntryValue | null) => (typeof v === 'string' ? v : '');

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

export interface BulkRunsState {
  error?: string;
  message?: string;
  results?: BulkResult[];
}

const selectedRuns = z
  .array(z.string().transform((v, ctx) => {
    try {
      return z.object({ workflowId: z.string().min(1).max(1000), runId: z.string().min(1).max(100) }).parse(JSON.parse(v));
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not a run of this list' });
      return z.NEVER;
    }
  }))
  .max(MAX_BULK_RUNS, `select at most ${MAX_BULK_RUNS} runs`);

/** The runs list's bulk form: cancel or re-run the ticked runs, or all matching the filter; a result per run. */
export async function bulkRunsAction(_state: BulkRunsState, formData: FormData): Promise<BulkRunsState> {
  const ready = await operatorAndClient();
  if ('error' in ready) return { error: ready.error };
  const action = text(formData.get('action'));
  if (!(BULK_ACTIONS as readonly string[]).includes(action)) return { error: `Unknown action “${action.slice(0, 40)}”: use the Cancel runs or Re-run buttons.` };
  let refs;
  if (formData.get('all') === '1') {
    const params = Object.fromEntries([...formData.entries()].flatMap(([k, v]) => (k.startsWith('filter.') && typeof v === 'string' ? [[k.slice(7), v]] : [])));
    const matching = await runsMatching(ready.client, parseRunSearch(params).filter).catch(() => undefined);
    if (!matching) return { error: 'Could not list the runs matching this filter; try again.' };
    if ('tooMany' in matching) return { error: `More than ${MAX_BULK_RUNS} runs match this filter, the most one action takes; nothing was done. Narrow the filter.` };
    // What the user confirmed: the number the page showed. Runs that started or ended since make it another.
    const expected = text(formData.get('expect'));
    if (String(matching.runs.length) !== expected) return { error: `${matching.runs.length} runs match this filter now, not the ${expected} you confirmed; nothing was done. Reload the page and try again.` };
    refs = matching.runs;
  } else {
    const parsed = selectedRuns.safeParse(formData.getAll('run'));
    if (!parsed.success) return { error: `The selection ${parsed.error.issues[0]?.message ?? 'is invalid'}; reload the page and try again.` };
    refs = parsed.data;
  }
  if (refs.length === 0) return { error: 'No run selected: tick the runs to act on, or “all matching this filter”.' };
  const results = await actOnRuns(ready.client, action as BulkAction, refs, ready.user.startedBy);
  revalidatePath('/runs');
  const done = results.filter((r) => r.ok).length;
  return { message: `${action === 'cancel' ? 'Cancel' : 'Re-run'}: ${done} of ${results.length} done.`, results };
}
