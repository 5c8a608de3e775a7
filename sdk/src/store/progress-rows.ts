/**
 * Progress records ⇄ rows of the `task_progress` table, and the upsert that keeps only the latest per task of a
 * run. Defensive like log-rows.ts: a record that is not progress (a done or total that is no number) is left
 * out instead of failing the batch of log lines it travels with.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, TaskProgressTable } from './database';
import { optionalText, text } from './log-rows';
import type { ProgressRecord } from './types';


type Row = Omit<TaskProgressTable, 'id'>;

function toRow(r: ProgressRecord): Row | undefined {
  if (typeof r !== 'object' || r === null || !Number.isFinite(r.done) || !Number.isFinite(r.total) || !r.runId || !r.activityId) return undefined;
  return {
    run_id: text(r.runId),
    activity_id: text(r.activityId),
    workflow_id: text(r.workflowId),
    task: optionalText(r.task),
    attempt: Number.isSafeInteger(r.attempt) ? r.attempt : 1,
    done: r.done,
    total: r.total,
    message: optionalText(r.message),
    time: Number.isFinite(r.time) ? Math.trunc(r.time) : Date.now(),
  };
}

/** Whether `a` is newer than `b`: a later attempt, or the same attempt reported later. */
const newer = (a: Row, b: Row) => a.attempt > b.attempt || (a.attempt === b.attempt && a.time >= b.time);

/**
 * Upserts the records: one row per (run, activity id), replaced only by a record at least as new (a later
 * attempt, or the same attempt at the same time or later), so a late batch never moves a task's progress back.
 */
export async function upsertProgress(trx: Kysely<Database>, records: readonly ProgressRecord[]): Promise<void> {
  const latest = new Map<string, Row>();
  for (const record of records) {
    const row = toRow(record);
    if (!row) continue;
    const key = `${row.run_id}\u0000${row.activity_id}`;
    const seen = latest.get(key);
    // One INSERT may touch a row once (PostgreSQL refuses more): the newest of a batch goes.
    if (!seen || newer(row, seen)) latest.set(key, row);
  }
  if (latest.size === 0) return;
  await trx
    .insertInto('task_progress')
    .values([...latest.values()])
    .onConflict((oc) =>
      oc
        .columns(['run_id', 'activity_id'])
        .doUpdateSet((eb) => ({
          workflow_id: eb.ref('excluded.workflow_id'),
          task: eb.ref('excluded.task'),
          attempt: eb.ref('excluded.attempt'),
          done: eb.ref('excluded.done'),
          total: eb.ref('excluded.total'),
          message: eb.ref('excluded.message'),
          time: eb.ref('excluded.time'),
        }))
        .where((eb) =>
          eb.or([
            eb('task_progress.attempt', '<', eb.ref('excluded.attempt')),
            eb.and([eb('task_progress.attempt', '=', eb.ref('excluded.attempt')), eb('task_progress.time', '<=', eb.ref('excluded.time'))]),
          ]),
        ),
    )
    .execute();
}

export function fromProgressRow(row: Selectable<TaskProgressTable>): ProgressRecord {
  return {
    time: Number(row.time),
    workflowId: row.workflow_id,
    runId: row.run_id,
    task: row.task,
    activityId: row.activity_id,
    attempt: Number(row.attempt),
    done: Number(row.done),
    total: Number(row.total),
    message: row.message,
  };
}
