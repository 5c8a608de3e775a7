'use server';
// Admin-only user management. Every action checks the caller's role first, validates with zod, and
// refuses to leave Sluice without an admin who can log in.
import { z } from 'zod';
import { MIN_PASSWORD_LENGTH } from '@/lib/auth/passwords';
import { ROLES } from '@/lib/auth/roles';
import {
  countActiveAdmins,
  createUser,
  endUserSessions,
  findUserByEmail,
  setUserDisabled,
  setUserPassword,
  setUserRole,
  UserError,
} from '@/lib/auth/users';
import { getStore } from '@/lib/sluice.server';
import { asAdmin } from '../as-admin';
import { invalidForm, typedValues, type FormState } from '../form-state';

const email = z.string().trim().toLowerCase().regex(/^[^\s@]+@[^\s@]+$/, 'Enter an email address, like alice@example.org.');
const role = z.enum(ROLES, { error: `Pick a role: ${ROLES.join(', ')}.` });
const password = z.string().min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters.`);

const addSchema = z.object({
  email,
  name: z.string().trim().max(200).optional(),
  role,
  // Empty: the user logs in through single sign-on only.
  password: z
    .string()
    .optional()
    .refine((p) => !p || p.length >= MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters, or leave it empty for single sign-on.`),
});

export async function addUser(_prev: FormState, form: FormData): Promise<FormState> {
  return asAdmin('/admin/users', async () => {
    const parsed = addSchema.safeParse(Object.fromEntries(form));
    if (!parsed.success) return invalidForm(parsed.error, form);
    const { db } = await getStore();
    let user;
    try {
      user = await createUser(db, { ...parsed.data, password: parsed.data.password || null });
    } catch (err) {
      if (err instanceof UserError) return { error: err.message, values: typedValues(form) };
      throw err;
    }
    return { ok: `Added ${user.email} as ${user.role}${user.hasPassword ? '' : ' (single sign-on only: no password)'}.` };
  });
}

/** Would this change leave nobody able to administer Sluice? */
async function wouldLoseLastAdmin(targetEmail: string): Promise<boolean> {
  const { db } = await getStore();
  const target = await findUserByEmail(db, targetEmail);
  return !!target && target.role === 'admin' && target.disabledAt === null && (await countActiveAdmins(db)) <= 1;
}

export async function changeRole(_prev: FormState, form: FormData): Promise<FormState> {
  return asAdmin('/admin/users', async () => {
    const parsed = z.object({ email, role }).safeParse(Object.fromEntries(form));
    if (!parsed.success) return invalidForm(parsed.error);
    if (parsed.data.role !== 'admin' && (await wouldLoseLastAdmin(parsed.data.email))) {
      return { error: `${parsed.data.email} is the last admin: make someone else admin first.` };
    }
    const user = await setUserRole((await getStore()).db, parsed.data.email, parsed.data.role);
    return { ok: `${user.email} is now ${user.role}.` };
  });
}

export async function resetPassword(_prev: FormState, form: FormData): Promise<FormState> {
  return asAdmin('/admin/users', async () => {
    const parsed = z.object({ email, password }).safeParse(Object.fromEntries(form));
    if (!parsed.success) return invalidForm(parsed.error);
    const user = await setUserPassword((await getStore()).db, parsed.data.email, parsed.data.password);
    return { ok: `New password set for ${user.email}; earlier failed log-ins are forgotten.` };
  });
}

export async function setDisabled(_prev: FormState, form: FormData): Promise<FormState> {
  return asAdmin('/admin/users', async (me) => {
    const parsed = z.object({ email, disabled: z.enum(['true', 'false']) }).safeParse(Object.fromEntries(form));
    if (!parsed.success) return invalidForm(parsed.error);
    const disable = parsed.data.disabled === 'true';
    if (disable && parsed.data.email === me.email) return { error: 'You cannot disable yourself: ask another admin.' };
    if (disable && (await wouldLoseLastAdmin(parsed.data.email))) return { error: `${parsed.data.email} is the last admin: make someone else admin first.` };
    const user = await setUserDisabled((await getStore()).db, parsed.data.email, disable);
    return { ok: `${user.email} is ${disable ? 'disabled: they can no longer log in' : 'enabled again'}.` };
  });
}

export async function endSessions(_prev: FormState, form: FormData): Promise<FormState> {
  return asAdmin('/admin/users', async () => {
    const parsed = z.object({ email }).safeParse(Object.fromEntries(form));
    if (!parsed.success) return invalidForm(parsed.error);
    const { db } = await getStore();
    const user = await findUserByEmail(db, parsed.data.email);
    if (!user) return { error: `There is no user ${parsed.data.email}: reload the page.` };
    await endUserSessions(db, user.id);
    return { ok: `Every session of ${user.email} has ended: they log in again on each device.` };
  });
}
