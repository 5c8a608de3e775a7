/**
 * Notification rules as the notifier reads them: the ones declared in code (published by each worker with
 * its flows) and the ones admins add. A code rule's key is a hash of what it says, so a worker restart
 * keeps it, and with it the record of what was already sent.
 */
import { createHash } from 'node:crypto';
import type { Insertable, Kysely, Selectable } from 'kysely';
import { durationMs } from '../deployments';
import type { Database, NotificationRulesTable } from '../store';
import { DEFAULT_NOTIFY_EVENTS, NOTIFY_EVENTS, type NotifyEvent, type NotifyRule } from './types';

export const DEFAULT_LATE_AFTER_MS = 5 * 60_000;

export interface Rule {
  id: number;
  key: string;
  source: 'code' | 'admin';
  flow: string | null;
  deployment: string | null;
  events: NotifyEvent[];
  channels: string[];
  longerThanMs: number | null;
  lateAfterMs: number | null;
  createdBy: string | null;
  createdAt: number;
}

/** A rule as declared next to a flow (deployment null) or one of its deployments. */
export interface DeclaredRule {
  flow: string;
  deployment: string | null;
  rule: NotifyRule;
}

/** What is wrong with a declared rule, one line each (empty when nothing is). */
export function ruleProblems(where: string, rule: NotifyRule): string[] {
  const problems: string[] = [];
  const say = (p: string) => problems.push(`${where}, notify: ${p}`);
  if (!Array.isArray(rule.channels) || rule.channels.length === 0 || rule.channels.some((c) => typeof c !== 'string' || !c.trim())) {
    say("name at least one channel, e.g. channels: ['data-team'] or ['mailto:ops@example.org']");
  }
  for (const e of rule.on ?? []) if (!NOTIFY_EVENTS.includes(e)) say(`unknown event ${JSON.stringify(e)} (use ${NOTIFY_EVENTS.join(', ')})`);
  if (rule.on?.includes('long_running') && rule.longerThan === undefined) say("the event long_running needs longerThan, e.g. longerThan: '2h'");
  for (const key of ['longerThan', 'lateAfter'] as const) {
    const v = rule[key];
    if (v !== undefined && !((durationMs(v) ?? 0) > 0)) say(`invalid ${key} ${JSON.stringify(v)} (use e.g. "30 minutes", "2h")`);
  }
  return problems;
}

/** The row a declared rule is stored as. */
export function codeRuleRow(d: DeclaredRule, now: number): Insertable<NotificationRulesTable> {
  const events = [...(d.rule.on ?? DEFAULT_NOTIFY_EVENTS)].sort();
  const channels = d.rule.channels.map((c) => c.trim());
  const longer = d.rule.longerThan !== undefined ? (durationMs(d.rule.longerThan) ?? null) : null;
  const late = d.rule.lateAfter !== undefined ? (durationMs(d.rule.lateAfter) ?? null) : null;
  const key = `code-${createHash('sha256').update(JSON.stringify([d.flow, d.deployment, events, channels, longer, late])).digest('hex').slice(0, 20)}`;
  return {
    key,
    source: 'code',
    flow: d.flow,
    deployment: d.deployment,
    events: JSON.stringify(events),
    channels: JSON.stringify(channels),
    longer_than_ms: longer,
    late_after_ms: late,
    created_by: null,
    created_at: now,
  };
}

/**
 * Replaces the code rules of `flows` (a worker's flows) with `rules`; rules of other flows and admins' stay.
 * Unchanged rules keep their key, so nothing already sent is sent again.
 */
export async function publishCodeRules(db: Kysely<Database>, flows: string[], rules: DeclaredRule[], now = Date.now()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (flows.length) await trx.deleteFrom('notification_rules').where('source', '=', 'code').where('flow', 'in', flows).execute();
    const rows = rules.map((r) => codeRuleRow(r, now));
    if (rows.length) await trx.insertInto('notification_rules').values(rows).onConflict((oc) => oc.column('key').doNothing()).execute();
  });
}

/** An admin's rule, from the Notifications page. */
export type AdminRuleInput = Pick<Rule, 'flow' | 'deployment' | 'events' | 'channels' | 'longerThanMs' | 'lateAfterMs'> & { createdBy: string };

export async function addAdminRule(db: Kysely<Database>, input: AdminRuleInput, now = Date.now()): Promise<Rule> {
  const key = `admin-${createHash('sha256').update(`${now}:${Math.random()}`).digest('hex').slice(0, 20)}`;
  const row = await db
    .insertInto('notification_rules')
    .values({
      key,
      source: 'admin',
      flow: input.flow,
      deployment: input.deployment,
      events: JSON.stringify(input.events),
      channels: JSON.stringify(input.channels),
      longer_than_ms: input.longerThanMs,
      late_after_ms: input.lateAfterMs,
      created_by: input.createdBy,
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return ruleOf(row);
}

/** Deletes an admin's rule (code rules change only with their code). */
export async function deleteAdminRule(db: Kysely<Database>, id: number): Promise<void> {
  await db.deleteFrom('notification_rules').where('id', '=', id).where('source', '=', 'admin').execute();
}

export async function listRules(db: Kysely<Database>): Promise<Rule[]> {
  const rows = await db.selectFrom('notification_rules').selectAll().orderBy('source').orderBy('flow').orderBy('id').execute();
  return rows.map(ruleOf);
}

function ruleOf(row: Selectable<NotificationRulesTable>): Rule {
  return {
    id: Number(row.id),
    key: row.key,
    source: row.source,
    flow: row.flow,
    deployment: row.deployment,
    events: JSON.parse(row.events),
    channels: JSON.parse(row.channels),
    longerThanMs: row.longer_than_ms === null ? null : Number(row.longer_than_ms),
    lateAfterMs: row.late_after_ms === null ? null : Number(row.late_after_ms),
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
  };
}

/** Whether `rule` covers a run of `flow` started by `deployment` (null: started by hand or by a program). */
export function ruleCovers(rule: Rule, flow: string, deployment: string | null): boolean {
  return (rule.flow === null || rule.flow === flow) && (rule.deployment === null || rule.deployment === deployment);
}
