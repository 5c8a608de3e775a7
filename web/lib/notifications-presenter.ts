/**
 * The Notifications page (admins): the channels (never their targets or secrets), the rules from code and
 * from admins, and every delivery, sent or failed, with the runs it was about. And the home page's share:
 * deliveries that failed and schedules that did not start on time.
 *
 * @example const view = await getNotifications(store.db, getEnv().notifications, getEnv().notifierEnabled);
 */
import type { Kysely } from 'kysely';
import { listChannels, listDeliveries, listRules, recentEvents, runsOfDeliveries, type ChannelKind, type Delivery, type EventDetail, type NotifierSettings, type Rule } from 'sluice/internal/notify';
import type { Database } from 'sluice/internal/store';

export interface ChannelRow {
  name: string;
  kind: ChannelKind;
  /** Where it is set: an admin stored it (deletable here), or the environment declares it. */
  source: 'stored' | 'environment';
  id: number | null;
  hasSecret: boolean;
}

export interface DeliveryRow extends Delivery {
  runs: Pick<EventDetail, 'event' | 'flow' | 'deployment' | 'workflowId' | 'runId'>[];
}

export interface NotificationsView {
  channels: ChannelRow[];
  rules: Rule[];
  deliveries: DeliveryRow[];
  counts: Record<Delivery['status'], number>;
  smtpConfigured: boolean;
  /** False when no key is set: channels cannot be stored (only environment and mailto: ones work). */
  canStoreChannels: boolean;
  notifierEnabled: boolean;
}

export const NOTIFICATIONS_LIMIT = 100;

export async function getNotifications(db: Kysely<Database>, settings: Pick<NotifierSettings, 'channels' | 'mail' | 'secrets'>, notifierEnabled: boolean): Promise<NotificationsView> {
  const [stored, rules, deliveries] = await Promise.all([listChannels(db), listRules(db), listDeliveries(db, { limit: NOTIFICATIONS_LIMIT })]);
  const runs = await runsOfDeliveries(db, deliveries.map((d) => d.id));
  const counts = { pending: 0, retrying: 0, sent: 0, failed: 0 };
  for (const d of deliveries) counts[d.status]++;
  return {
    channels: [
      ...settings.channels.map((c) => ({ name: c.name, kind: c.kind, source: 'environment' as const, id: null, hasSecret: Boolean(c.secret) })),
      ...stored.map((c) => ({ name: c.name, kind: c.kind, source: 'stored' as const, id: c.id, hasSecret: c.hasSecret })),
    ],
    rules,
    deliveries: deliveries.map((d) => ({
      ...d,
      runs: (runs.get(d.id) ?? []).map(({ event, flow, deployment, workflowId, runId }) => ({ event, flow, deployment, workflowId, runId })),
    })),
    counts,
    smtpConfigured: Boolean(settings.mail.smtpUrl),
    canStoreChannels: settings.secrets !== null,
    notifierEnabled,
  };
}

export interface Attention {
  /** Deliveries that gave up, or are retrying: someone was not told. */
  failedDeliveries: Delivery[];
  /** Deployments whose scheduled run did not start on time, in the last day. */
  lateSchedules: (EventDetail & { recordedAt: number })[];
}

export async function getAttention(db: Kysely<Database>, now = Date.now()): Promise<Attention> {
  const [failedDeliveries, lateSchedules] = await Promise.all([
    listDeliveries(db, { status: ['failed', 'retrying'], limit: 10 }),
    recentEvents(db, 'late', now - 86_400_000, 10),
  ]);
  return { failedDeliveries, lateSchedules };
}
