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

/** Rows per statement: at most 10 columns × 100 rows or 500 keys, far below SQLite's and PostgreSQL's parameter limits. */
const ROWS_PER_INSERT = 100;
const KEYS_PER_QUERY = 500;

/** Records the events not recorded yet, 100 rows per INSERT; returns how many were new. */
export async function recordEvents(db: Kysely<Database>, events: NewEvent[], now = Date.now()): Promise<number> {
  let added = 0;
  for (let i = 0; i < events.length; i += ROWS_PER_INSERT) {
    const result = await db
      .insertInto('notification_events')
      .values(
        events.slice(i, i + ROWS_PER_INSERT).map((e) => ({
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
        })),
      )
      .onConflict((oc) => oc.columns(['rule_key', 'channel', 'run_id', 'event']).doNothing())
      .executeTakeFirst();
    added += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return added;
}

/** Which of the runs' events are recorded already, as `rule|channel|run|event`: the notifier then skips reading them again. 500 runs per query. */
export async function knownEvents(db: Kysely<Database>, runKeys: string[]): Promise<Set<string>> {
  const known = new Set<string>();
  for (let i = 0; i < runKeys.length; i += KEYS_PER_QUERY) {
    const rows = await db
      .selectFrom('notification_events')
      .select(['rule_key', 'channel', 'run_id', 'event'])
      .where('run_id', 'in', runKeys.slice(i, i + KEYS_PER_QUERY))
      .execute();
    for (const r of rows) known.add(eventKey(r.rule_key, r.channel, r.run_id, r.event));
  }
  return known;
}

export const eventKey = (rule: string, channel: string, runKey: string, event: string) => JSON.stringify([rule, channel, runKey, event]);

/**
 * Turns events not yet in a message into deliveries, one per rule and channel. A group waits until its
 * newest event is `windowMs` old — so a burst of failures, however long, becomes one message once it has
 * been quiet that long — but no longer than `maxWaitMs` after its oldest (a steady trickle still goes out).
 * The database groups (GROUP BY), and each delivery claims its events in one UPDATE of those still without
 * one: when two processes group at once, an event goes to one delivery only, and a delivery that claimed
 * nothing is deleted — no empty message.
 */
export async function groupEvents(
  db: Kysely<Database>,
  subjectOf: (events: EventDetail[]) => string,
  now = Date.now(),
  windowMs = 0,
  maxWaitMs = Math.max(windowMs, 5 * 60_000),
): Promise<number[]> {
  const groups = await db
    .selectFrom('notification_events')
    .select((eb) => ['rule_key', 'channel', eb.fn.min('recorded_at').as('oldest'), eb.fn.max('recorded_at').as('newest'), eb.fn.max('id').as('last')])
    .where('delivery_id', 'is', null)
    .groupBy(['rule_key', 'channel'])
    .execute();
  const created: number[] = [];
  for (const group of groups) {
    if (Number(group.newest) > now - windowMs && Number(group.oldest) > now - maxWaitMs) continue;
    // Statement by statement, holding no lock between them (a SQLite transaction would keep a second
    // connection waiting): the delivery is due only once it is complete; should this process die before, it
    // becomes due an hour later and is sent (with its events) or deleted (without).
    const delivery = await db
      .insertInto('notification_deliveries')
      .values({ rule_key: group.rule_key, channel: group.channel, status: 'pending', subject: '', event_count: 0, next_attempt_at: now + 3_600_000, last_error: null, created_at: now, sent_at: null, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    // One UPDATE of the events still without a message: what another process claimed first is not taken again.
    const claimed = await db
      .updateTable('notification_events')
      .set({ delivery_id: delivery.id })
      .where('delivery_id', 'is', null)
      .where('rule_key', '=', group.rule_key)
      .where('channel', '=', group.channel)
      .where('id', '<=', Number(group.last))
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0) {
      await db.deleteFrom('notification_deliveries').where('id', '=', delivery.id).execute();
      continue;
    }
    const details = (await db.selectFrom('notification_events').select('detail').where('delivery_id', '=', delivery.id).orderBy('id').execute()).map((r) => JSON.parse(r.detail) as EventDetail);
    await db.updateTable('notification_deliveries').set({ subject: subjectOf(details), event_count: details.length, next_attempt_at: now }).where('id', '=', delivery.id).execute();
    created.push(Number(delivery.id));
  }
  return created;
}

/**
 * Takes a due delivery for one send: moves its next attempt to `until` if nobody has since. True when this
 * process now sends it; another process that read it as due at the same time finds it taken. A sender that
 * dies while sending leaves it due again at `until` (delivery stays at-least-once).
 */
export async function claimDelivery(db: Kysely<Database>, d: Pick<Delivery, 'id' | 'nextAttemptAt'>, until: number, now = Date.now()): Promise<boolean> {
  const result = await db
    .updateTable('notification_deliveries')
    .set({ next_attempt_at: until, updated_at: now })
    .where('id', '=', d.id)
    .where('status', 'in', ['pending', 'retrying'])
    .where('next_attempt_at', '=', d.nextAttemptAt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Deletes a delivery that has no event (none can be made by groupEvents; one left by an older version is not sent). */
export async function deleteEmptyDelivery(db: Kysely<Database>, id: number): Promise<void> {
  await db.deleteFrom('notification_deliveries').where('id', '=', id).where((eb) => eb.not(eb.exists(eb.selectFrom('notification_events').select('id').where('delivery_id', '=', id)))).execute();
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
