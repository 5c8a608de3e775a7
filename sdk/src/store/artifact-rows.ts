/**
 * Artifacts ⇄ rows of the `artifacts` table. The store checks each record's artifact with the one artifact schema
 * again (a worker is a client, whatever it sent): one it refuses is not stored, and its line says why, as a
 * warning, instead of failing the whole batch of lines it travels with.
 */
import type { Kysely, Selectable } from 'kysely';
import { parseArtifact, type Artifact, type StoredArtifact } from '../artifacts';
import type { ArtifactsTable, Database } from './database';
import { fromJsonText } from './json-text';
import { optionalText, text } from './log-rows';
import type { LogRecord } from './types';

type Row = Omit<ArtifactsTable, 'id'>;

/**
 * The records' artifacts as rows, and the records to write as lines: the same array when every artifact passes,
 * else a copy whose refused ones became warnings saying why.
 */
export function splitArtifacts(records: LogRecord[]): { lines: LogRecord[]; rows: Row[] } {
  let lines = records;
  const rows: Row[] = [];
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    if (record?.artifact === undefined) continue;
    const parsed = parseArtifact(record.artifact);
    if (parsed.ok) {
      rows.push(toRow(record, parsed.artifact, parsed.text));
      continue;
    }
    if (lines === records) lines = records.slice();
    lines[i] = { ...record, artifact: undefined, level: 'warn', message: `${text(record.message)}: not stored. ${parsed.error}` };
  }
  return { lines, rows };
}

function toRow(r: LogRecord, artifact: Artifact, payload: string): Row {
  return {
    time: Number.isFinite(r.time) ? Math.trunc(r.time) : Date.now(),
    workflow_id: text(r.workflowId),
    run_id: text(r.runId),
    flow: optionalText(r.flow),
    task: optionalText(r.task),
    activity_id: optionalText(r.activityId),
    attempt: Number.isSafeInteger(r.attempt) ? r.attempt! : null,
    key: artifact.key,
    kind: artifact.kind,
    title: artifact.title,
    // PostgreSQL text cannot hold NUL (JSON writes it as \u0000, so it never appears raw).
    payload,
  };
}

export async function insertArtifacts(trx: Kysely<Database>, rows: Row[]): Promise<void> {
  // One at a time: a few per batch at most, each up to 1 MiB.
  for (const row of rows) await trx.insertInto('artifacts').values(row).execute();
}

export function fromArtifactRow(row: Selectable<ArtifactsTable>): StoredArtifact {
  return {
    ...(fromJsonText(row.payload) as Artifact),
    id: Number(row.id),
    time: Number(row.time),
    workflowId: row.workflow_id,
    runId: row.run_id,
    flow: row.flow,
    task: row.task,
  };
}
