'use server';
// Admin-only notification settings: add, test and delete channels (target and secret stored encrypted), add and
// delete rules, send a failed delivery again.
import { z } from 'zod';
import { addAdminRule, addChannel, CHANNEL_KINDS, ChannelConfigError, deleteAdminRule, deleteChannel, DeliveryError, durationMs, NOTIFY_EVENTS, retryDelivery, sendTestMessage } from 'sluice/internal/notify';
import { getEnv } from '@/lib/env';
import { getStore } from '@/lib/sluice.server';
import { asAdmin } from '../as-admin';
import { invalidForm, typedValues, type FormState } from '../form-state';

const PAGE = '/admin/notifications';
const optional = z.string().trim().optional().transform((v) => v || null);
const id = z.object({ id: z.coerce.number().int().positive() });

const channelSchema = z.object({
  name: z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'Use 1–64 lowercase letters, digits, dots, dashes or underscores, e.g. data-team.'),
  kind: z.enum(CHANNEL_KINDS, { error: `Pick a kind: ${CHANNEL_KINDS.join(', ')}.` }),
  target: z.string().trim().min(1, 'Give the e-mail addresses or the incoming-webhook URL.'),
  secret: optional,
});

export async function createChannel(_prev: FormState, form: FormData): Promise<FormState> {
  return asAdmin(PAGE, async () => {
    const parsed = channelSchema.safeParse(Object.fromEntries(form));
    // Never give the target or the secret back to the form: they may hold tokens.
    if (!parsed.success) return { ...invalidForm(parsed.error), values: pick(form, ['name', 'kind']) };
    const { secrets } = getEnv().notifications;
    if (!secrets) return { error: 'Channels cannot be stored without a key: set SLUICE_SECRET_KEY (or NEXTAUTH_SECRET) on the server.' };
    try {
      await addChannel((await getStore()).db, secrets, { ...parsed.data, secret: parsed.data.secret ?? undefined });
    } catch (err) {
      if (err instanceof ChannelConfigError) return { error: err.message, values: pick(form, ['name', 'kind']) };
      throw err;
    }
    return { ok: `Added the channel ${parsed.data.name} (${parsed.data.kind}). Rules name it as ${parsed.data.name}.` };
  });
}

/** An action on one row by its id: the id is checked, then `work` runs and its answer is the form's. */
const byId = (what: string, work: (id: number) => Promise<string>) => (_prev: FormState, form: FormData) =>
  asAdmin(PAGE, async () => {
    const parsed = id.safeParse(Object.fromEntries(form));
    if (!parsed.success) return { error: `Which ${what}? Reload the page and try again.` };
    return { ok: await work(parsed.data.id) };
  });

/** Sends a test message through a channel now, and says whether it was handed over (or why not). */
export async function testChannel(_prev: FormState, form: FormData): Promise<FormState> {
  return asAdmin(PAGE, async (me) => {
    const name = typeof form.get('name') === 'string' ? String(form.get('name')) : '';
    if (!name) return { error: 'Which channel? Reload the page and try again.' };
    try {
      await sendTestMessage((await getStore()).db, getEnv().notifications, name, me.email);
    } catch (err) {
      if (err instanceof DeliveryError || err instanceof ChannelConfigError) return { error: `Not sent to ${name}: ${err.message}` };
      throw err;
    }
    return { ok: `Sent a test message to ${name}: check that it arrived.` };
  });
}

export const removeChannel = byId('channel', async (id) => {
  await deleteChannel((await getStore()).db, id);
  return 'Deleted: rules naming it fail their deliveries until a channel of that name exists again.';
});

const duration = (what: string) =>
  optional.refine((v) => v === null || (durationMs(v) ?? 0) > 0, `Write ${what} as e.g. 30 minutes, 2h or 90s.`).transform((v) => (v === null ? null : durationMs(v)!));

const ruleSchema = z
  .object({
    flow: optional,
    deployment: optional,
    events: z.array(z.enum(NOTIFY_EVENTS)).min(1, 'Pick at least one event.'),
    channels: z
      .string()
      .transform((v) => v.split(',').map((c) => c.trim()).filter(Boolean))
      .pipe(z.array(z.string()).min(1, 'Name at least one channel, e.g. data-team or mailto:ops@example.org.')),
    longerThan: duration('the limit'),
    lateAfter: duration('the grace time'),
  })
  .refine((r) => !r.events.includes('long_running') || r.longerThan !== null, { path: ['longerThan'], message: 'Running longer than needs a limit, e.g. 2h.' })
  .refine((r) => r.flow !== null || r.deployment === null, { path: ['deployment'], message: 'A deployment belongs to a flow: name the flow too.' });

export async function createRule(_prev: FormState, form: FormData): Promise<FormState> {
  return asAdmin(PAGE, async (me) => {
    const parsed = ruleSchema.safeParse({ ...Object.fromEntries(form), events: form.getAll('events') });
    if (!parsed.success) return invalidForm(parsed.error, form);
    const r = parsed.data;
    await addAdminRule((await getStore()).db, {
      flow: r.flow,
      deployment: r.deployment,
      events: r.events,
      channels: r.channels,
      longerThanMs: r.longerThan,
      lateAfterMs: r.lateAfter,
      createdBy: me.email,
    });
    return { ok: `Added: ${r.events.join(', ')} of ${r.flow ?? 'every flow'}${r.deployment ? ` · ${r.deployment}` : ''} → ${r.channels.join(', ')}.` };
  });
}

export const removeRule = byId('rule', async (id) => {
  await deleteAdminRule((await getStore()).db, id);
  return 'Deleted the rule.';
});

export const sendAgain = byId('delivery', async (id) => {
  await retryDelivery((await getStore()).db, id);
  return 'Queued: the notifier sends it on its next round.';
});

function pick(form: FormData, keys: string[]): Record<string, string> {
  const all = typedValues(form);
  return Object.fromEntries(keys.filter((k) => k in all).map((k) => [k, all[k]!]));
}
