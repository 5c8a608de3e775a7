/**
 * `scheduledTime()`: the time a run is for. A deployment's scheduled run and a backfilled run both get their
 * slot's time (Temporal's TemporalScheduledStartTime, which a backfill sets as the schedule does); any other run
 * gets the time it started. Sandbox-safe.
 *
 * @example
 * export const dailyImport = flow({ deployments: [{ name: 'daily', cron: '0 6 * * *' }] }, async () => {
 *   const day = scheduledTime().toISOString().slice(0, 10); // "2026-03-01" for March's first slot
 *   await importDay(day);
 * });
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { workflowInfo } from '@temporalio/workflow';
import { SCHEDULED_TIME_MEMO } from './backfill/types';

export const SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/**
 * The time this run is for: its slot's time for a scheduled or backfilled run, else the time it started.
 *
 * @example
 * const day = scheduledTime().toISOString().slice(0, 10); // "2026-03-01" for March's first daily slot
 */
export function scheduledTime(): Date {
  const info = workflowInfo();
  const scheduled = info.typedSearchAttributes.get(SCHEDULED_START);
  if (scheduled) return new Date(scheduled);
  const memo = info.memo?.[SCHEDULED_TIME_MEMO];
  return typeof memo === 'string' ? new Date(memo) : info.startTime;
}
