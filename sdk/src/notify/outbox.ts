/**
 * The outbox in the store: events (unique per rule, channel, run and event, so a run seen twice is told
 * once), grouped into deliveries (one message per rule and channel), sent and retried with backoff. The
 * state survives a restart of the notifier: what was recorded is sent, what was sent is not recorded again.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, DeliveryStatus, NotificationDeliveriesTable } from '../store';
import type { EventDetail } from './messages';

export interface NewEvent {
  ruleKey: string;
  channel: string;
  /** The run, or for a late start `late:<schedule id>@<due time>`: what makes the event unique. */
  runKey: string;
  detail: EventDetail;
}

/** Records the event unless it was already; true when it is new. */
export async function recordEvent(db: Kysely<Database>, e: NewEvent, now = Date.now()): Promise<boolean> {
  const result = await db
    .insertInto('notification_events')
    .values({
      rule_key: e.ruleKey,
      channel: e.channel,
      workflow_id: e.detail.workflowId,
      run_id: e.runKey,
      event: e.detail.event,
      flow: e.detail.flow,
      deployment: e.detail.deployment,
      detail: JSON.stringify(e.detail),
      recorded_at: now,
      delivery_id: null,
    })
    .onConflict((oc) => oc.columns(['rule_key', 'channel', 'run_id', 'event']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Which of the runs' events are recorded already, as `rule|channel|run|event`: the notifier then skips reading them again. */
export async function knownEvents(db: Kysely<Database>, runKeys: string[]): Promise<Set<string>> {
  if (runKeys.length === 0) return new Set();
  const rows = await db.selectFrom('notification_events').select(['rule_key', 'channel', 'run_id', 'event']).where('run_id', 'in', runKeys).execute();
  return new Set(rows.map((r) => eventKey(r.rule_key, r.channel, r.run_id, r.event)));
}

export const eventKey = (rule: string, channel: string, runKey: string, event: string) => JSON.stringify([rule, channel, runKey, event]);

/**
 * Turns events not yet in a message into deliveries, one per rule and channel. A group waits until its
 * oldest event is `windowMs` old, so a burst of failures closing over a few seconds becomes one message.
 */
export async function groupEvents(db: Kysely<Database>, subjectOf: (events: EventDetail[]) => string, now = Date.now(), windowMs = 0): Promise<number[]> {
  const rows = await db.selectFrom('notification_events').selectAll().where('delivery_id', 'is', null).orderBy('id').execute();
  const groups = new Map<string, typeof rows>();
  for (const row of rows) {
    const key = JSON.stringify([row.rule_key, row.channel]);
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const created: number[] = [];
  for (const group of groups.values()) {
    if (Math.min(...group.map((r) => Number(r.recorded_at))) > now - windowMs) continue;
    const first = group[0]!;
    const details = group.map((r) => JSON.parse(r.detail) as EventDetail);
    await db.transaction().execute(async (trx) => {
      const delivery = await trx
        .insertInto('notification_deliveries')
        .values({
          rule_key: first.rule_key,
          channel: first.channel,
          status: 'pending',
          subject: subjectOf(details),
          event_count: group.length,
          next_attempt_at: now,
          last_error: null,
          created_at: now,
          sent_at: null,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx.updateTable('notification_events').set({ delivery_id: delivery.id }).where('id', 'in', group.map((r) => r.id)).execute();
      created.push(Number(delivery.id));
    });
  }
  return created;
}

export interface Delivery {
  id: number;
  ruleKey: string;
  channel: string;
  status: DeliveryStatus;
  subject: string;
  eventCount: number;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  sentAt: number | null;
  updatedAt: number;
}

function deliveryOf(r: Selectable<NotificationDeliveriesTable>): Delivery {
  return {
    id: Number(r.id),
    ruleKey: r.rule_key,
    channel: r.channel,
    status: r.status,
    subject: r.subject,
    eventCount: Number(r.event_count),
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    lastError: r.last_error,
    createdAt: Number(r.created_at),
    sentAt: r.sent_at === null ? null : Number(r.sent_at),
    updatedAt: Number(r.updated_at),
  };
}

/** Deliveries waiting to be sent (new, or retrying and due), oldest first. */
export async function dueDeliveries(db: Kysely<Database>, now = Date.now(), limit = 50): Promise<Delivery[]> {
  const rows = await db
    .selectFrom('notification_deliveries')
    .selectAll()
    .where('status', 'in', ['pending', 'retrying'])
    .where('next_attempt_at', '<=', now)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(deliveryOf);
}

export async function eventsOfDelivery(db: Kysely<Database>, id: number): Promise<EventDetail[]> {
  const rows = await db.selectFrom('notification_events').select('detail').where('delivery_id', '=', id).orderBy('id').execute();
  return rows.map((r) => JSON.parse(r.detail) as EventDetail);
}

export async function markSent(db: Kysely<Database>, id: number, now = Date.now()): Promise<void> {
  await db
    .updateTable('notification_deliveries')
    .set((eb) => ({ status: 'sent', sent_at: now, updated_at: now, last_error: null, attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

/** Records a failed attempt: retried after `retryInMs`, or given up (status failed) when that is null. */
export async function markAttemptFailed(db: Kysely<Database>, id: number, error: string, retryInMs: number | null, now = Date.now()): Promise<void> {
  await db
    .updateTable('notification_deliveries')
    .set((eb) => ({
      status: retryInMs === null ? 'failed' : 'retrying',
      next_attempt_at: now + (retryInMs ?? 0),
      last_error: error.slice(0, 1000),
      updated_at: now,
      attempts: eb('attempts', '+', 1),
    }))
    .where('id', '=', id)
    .execute();
}

/** Sends a failed delivery again now (an admin's "retry"). */
export async function retryDelivery(db: Kysely<Database>, id: number, now = Date.now()): Promise<void> {
  await db.updateTable('notification_deliveries').set({ status: 'retrying', next_attempt_at: now, updated_at: now }).where('id', '=', id).where('status', '=', 'failed').execute();
}

/** The newest deliveries, for the Notifications page; `status` narrows them. */
export async function listDeliveries(db: Kysely<Database>, options: { limit?: number; status?: DeliveryStatus[] } = {}): Promise<Delivery[]> {
  let query = db.selectFrom('notification_deliveries').selectAll();
  if (options.status?.length) query = query.where('status', 'in', options.status);
  const rows = await query.orderBy('id', 'desc').limit(options.limit ?? 100).execute();
  return rows.map(deliveryOf);
}

/** The events of each delivery (for the page: which runs a message was about). */
export async function runsOfDeliveries(db: Kysely<Database>, ids: number[]): Promise<Map<number, EventDetail[]>> {
  const map = new Map<number, EventDetail[]>();
  if (ids.length === 0) return map;
  const rows = await db.selectFrom('notification_events').select(['delivery_id', 'detail']).where('delivery_id', 'in', ids).orderBy('id').execute();
  for (const r of rows) map.set(Number(r.delivery_id), [...(map.get(Number(r.delivery_id)) ?? []), JSON.parse(r.detail)]);
  return map;
}

/** Events of one kind recorded since `since`, newest first (the home page's late schedules). */
export async function recentEvents(db: Kysely<Database>, event: string, since: number, limit = 20): Promise<(EventDetail & { recordedAt: number })[]> {
  const rows = await db
    .selectFrom('notification_events')
    .select(['detail', 'recorded_at', 'run_id'])
    .where('event', '=', event)
    .where('recorded_at', '>=', since)
    .orderBy('id', 'desc')
    .limit(limit * 4)
    .execute();
  // One row per rule and channel: keep each event once.
  const seen = new Set<string>();
  return rows
    .filter((r) => !seen.has(r.run_id) && seen.add(r.run_id))
    .slice(0, limit)
    .map((r) => ({ ...(JSON.parse(r.detail) as EventDetail), recordedAt: Number(r.recorded_at) }));
}
