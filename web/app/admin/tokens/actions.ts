'use server';
// Admin-only API token management: create (the secret is returned once, never stored; optionally expiring) and revoke.
import { z } from 'zod';
import { TOKEN_ROLES } from 'sluice/internal/types';
import { createApiToken, MAX_EXPIRY_DAYS, revokeApiToken } from '@/lib/auth/tokens';
import { UserError } from '@/lib/auth/users';
import { formatTime } from '@/lib/format';
import { getStore } from '@/lib/sluice.server';
import { asAdmin } from '../as-admin';
import { invalidForm, typedValues, type FormState } from '../form-state';

const createSchema = z.object({
  name: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'Use 1–64 letters, digits, dots, dashes or underscores, e.g. rainfall-etl.'),
  role: z.enum(TOKEN_ROLES, { error: `Pick a role: ${TOKEN_ROLES.join(', ')}.` }),
  // A worker token's queues, comma- or space-separated (checked by createApiToken: required for worker, else none).
  taskQueues: z
    .string()
    .optional()
    .transform((v) => (v ?? '').split(/[\s,]+/).filter(Boolean)),
  // Empty: the token does not expire.
  expiresInDays: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? Number(v) : null))
    .refine((v) => v === null || (Number.isInteger(v) && v >= 1 && v <= MAX_EXPIRY_DAYS), `Give a whole number of days from 1 to ${MAX_EXPIRY_DAYS}, or leave it empty.`),
});

export async function createToken(_prev: FormState, form: FormData): Promise<FormState> {
  return asAdmin('/admin/tokens', async (me) => {
    const parsed = createSchema.safeParse(Object.fromEntries(form));
    if (!parsed.success) return invalidForm(parsed.error, form);
    let created;
    try {
      created = await createApiToken((await getStore()).db, { ...parsed.data, createdBy: Number(me.id) });
    } catch (err) {
      if (err instanceof UserError) return { error: err.message, values: typedValues(form) };
      throw err;
    }
    const { token, apiToken } = created;
    const expiry = apiToken.expiresAt === null ? 'it does not expire' : `it expires on ${formatTime(apiToken.expiresAt, 'UTC', { seconds: false })}`;
    const queues = apiToken.taskQueues ? ` for task queue(s) ${apiToken.taskQueues.join(', ')}` : '';
    return { ok: `Created token '${apiToken.name}' (${apiToken.role}${queues}; ${expiry}). Copy it now: it is not shown again.`, token };
  });
}

export async function revokeToken(_prev: FormState, form: FormData): Promise<FormState> {
  return asAdmin('/admin/tokens', async () => {
    const parsed = z.object({ id: z.coerce.number().int().positive() }).safeParse(Object.fromEntries(form));
    if (!parsed.success) return { error: 'Which token? Reload the page and try again.' };
    await revokeApiToken((await getStore()).db, parsed.data.id);
    return { ok: 'Revoked: programs using this token now get 401.' };
  });
}
