import 'server-only';
import { revalidatePath } from 'next/cache';
import { authorizeAction, type SessionUser } from '@/lib/auth/guard';
import { readableError } from '@/lib/readable-error';
import type { FormState } from './form-state';

/**
 * Runs an admin page's server action: the caller must be an admin, then `work` runs and `page` is
 * re-rendered. Mistakes a user can make (UserError, WeakPasswordError) become the form's message; anything
 * else is logged and the form says the change was not saved (sluice/errors' mapper, through readableError).
 *
 * @example export const revoke = (_prev: FormState, form: FormData) => asAdmin('/admin/tokens', async (me) => ({ ok: '…' }));
 */
export async function asAdmin(page: string, work: (me: SessionUser) => Promise<FormState>): Promise<FormState> {
  let me;
  try {
    me = await authorizeAction('admin');
  } catch (err) {
    return { error: (err as Error).message };
  }
  try {
    const state = await work(me);
    revalidatePath(page);
    return state;
  } catch (err) {
    return { error: readableError(err, 'save the change') };
  }
}
