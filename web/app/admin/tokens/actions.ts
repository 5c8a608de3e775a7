'use server';
// Admin-only API token management: create (the secret is returned once, never stored) and revoke.
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { authorizeAction } from '@/lib/auth/guard';
import { ROLES } from '@/lib/auth/roles';
import { createApiToken, revokeApiToken } from '@/lib/auth/tokens';
import { UserError } from '@/lib/auth/users';
import { getStore } from '@/lib/sluice.server';
import type { FormState } from '../form-state';

const createSchema = z.object({
  name: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'Use 1–64 letters, digits, dots, dashes or underscores, e.g. rainfall-etl.'),
  role: z.enum(ROLES, { error: `Pick a role: ${ROLES.join(', ')}.` }),
});

async function asAdmin(work: (meId: number) => Promise<FormState>): Promise<FormState> {
  let me;
  try {
    me = await authorizeAction('admin');
  } catch (err) {
    return { error: (err as Error).message };
  }
  try {
    const state = await work(Number(me.id));
    revalidatePath('/admin/tokens');
    return state;
  } catch (err) {
    if (err instanceof UserError) return { error: err.message };
    console.error('[sluice] token management failed:', err);
    return { error: 'The change could not be saved (the store did not answer). Try again.' };
  }
}

export async function createToken(_prev: FormState, form: FormData): Promise<FormState> {
  return asAdmin(async (meId) => {
    const parsed = createSchema.safeParse(Object.fromEntries(form));
    if (!parsed.success) {
      const fieldErrors: Record<string, string> = {};
      for (const issue of parsed.error.issues) fieldErrors[String(issue.path[0])] ??= issue.message;
      return { error: 'Check the fields marked below.', fieldErrors, values: { name: String(form.get('name') ?? ''), role: String(form.get('role') ?? '') } };
    }
    let created;
    try {
      created = await createApiToken((await getStore()).db, { ...parsed.data, createdBy: meId });
    } catch (err) {
      if (err instanceof UserError) return { error: err.message, values: parsed.data };
      throw err;
    }
    const { token, apiToken } = created;
    return { ok: `Created token '${apiToken.name}' (${apiToken.role}). Copy it now: it is not shown again.`, token };
  });
}

export async function revokeToken(_prev: FormState, form: FormData): Promise<FormState> {
  return asAdmin(async () => {
    const parsed = z.object({ id: z.coerce.number().int().positive() }).safeParse(Object.fromEntries(form));
    if (!parsed.success) return { error: 'Which token? Reload the page and try again.' };
    await revokeApiToken((await getStore()).db, parsed.data.id);
    return { ok: 'Revoked: programs using this token now get 401.' };
  });
}
