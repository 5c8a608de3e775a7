/**
 * Checks a backfill request against a deployment and works out its slots, before anything starts: a reversed
 * range, one that reaches into the future, no slot or too many, and a wrong `maxRunning` are refused with a
 * message that says what to change.
 */
import type { DeploymentDeclaration, OverlapPolicy } from '../client/types';
import { InvalidBackfillError } from '../client/errors';
import { RUN_DEFAULTS } from '../deployments';
import { slotsOf } from './slots';
import { MAX_BACKFILL_RUNNING, MAX_BACKFILL_SLOTS } from './types';

/**
 * The range of a backfill and how many of its runs may run at once.
 *
 * @example
 * const request: BackfillRequest = { from: '2026-01-01', to: '2026-03-31', maxRunning: 2 };
 * await sluice.backfill('dailyImport', 'daily', request);
 */
export interface BackfillRequest {
  /** The first slot's earliest time: a Date or ISO 8601; a plain date (`2026-01-01`) is that day's start, UTC. */
  from: Date | string;
  /** The last slot's latest time, included; a plain date (`2026-03-31`) is that day's end, UTC. */
  to: Date | string;
  /** Most runs of this backfill at once (default 1). A deployment whose overlap is not `allowAll` runs one at a time. */
  maxRunning?: number;
}

export interface BackfillPlan {
  from: Date;
  to: Date;
  slots: Date[];
  maxRunning: number;
  overlap: OverlapPolicy;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

function timeOf(value: Date | string, field: 'from' | 'to'): Date {
  const date =
    typeof value === 'string' && DATE_ONLY.test(value.trim())
      ? new Date(`${value.trim()}T${field === 'from' ? '00:00:00.000' : '23:59:59.999'}Z`)
      : new Date(value);
  if (!Number.isFinite(date.getTime())) throw new InvalidBackfillError(`${field} ${JSON.stringify(String(value).slice(0, 40))} is not a date: use 2026-01-01 or 2026-01-01T06:00:00Z.`);
  return date;
}

export function planBackfill(flow: string, d: DeploymentDeclaration, request: BackfillRequest, now = new Date()): BackfillPlan {
  const where = `Deployment ${flow}.${d.name}`;
  if (d.cron === undefined && d.interval === undefined) throw new InvalidBackfillError(`${where} has no schedule (no cron, no interval): there are no slots to backfill. Start single runs instead.`);
  const from = timeOf(request.from, 'from');
  const to = timeOf(request.to, 'to');
  if (from > to) throw new InvalidBackfillError(`The range is reversed: from (${from.toISOString()}) is after to (${to.toISOString()}). Swap them.`);
  if (to > now) throw new InvalidBackfillError(`The range ends in the future (${to.toISOString()}): a backfill covers past slots only, the schedule runs the others. End it at ${now.toISOString()} or earlier.`);
  const maxRunning = request.maxRunning ?? 1;
  if (!Number.isInteger(maxRunning) || maxRunning < 1 || maxRunning > MAX_BACKFILL_RUNNING) {
    throw new InvalidBackfillError(`maxRunning must be a whole number from 1 to ${MAX_BACKFILL_RUNNING} (got ${JSON.stringify(request.maxRunning)}).`);
  }
  const slots = slotsOf(d, from, to, MAX_BACKFILL_SLOTS);
  if (slots.length > MAX_BACKFILL_SLOTS) {
    throw new InvalidBackfillError(`The range holds more than ${MAX_BACKFILL_SLOTS} slots of ${where}, the most one backfill runs. Split it into shorter ranges.`);
  }
  const overlap = d.overlap ?? RUN_DEFAULTS.overlap;
  // Overlap 'skip' or 'bufferOne' says runs of this deployment must not overlap: its backfill runs one slot at a time.
  return { from, to, slots, overlap, maxRunning: overlap === 'allowAll' ? maxRunning : 1 };
}
