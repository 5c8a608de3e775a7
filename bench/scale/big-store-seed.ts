/**
 * A year of use, seeded fast: runs in Temporal's visibility and log lines in Sluice's store, both set-based SQL.
 *
 * Runs: a few real runs of a trivial flow (`sequentialLoggingTasks`, done by the worker) give the row shape and the
 * runs whose pages are opened; the rest are copies of a real row (Temporal's own visibility table, its own columns
 * and indexes) over 12 flows, their deployments, every status and a year of start times. Real runs come at
 * ~10–30 a second on this machine, so 100,000 would take an hour or more; the runs list reads only visibility, and
 * that table is what is measured. A copied run has no history: opening its page answers "not found".
 *
 * Lines: most runs a few, some thousands, the real "heavy" runs 100,000 or more (at 10M lines), plus the lines of
 * runs Temporal no longer has (its retention dropped them) and older than every run it has: what a retention sweep
 * deletes. Inserted in time order, as a store fills (ids follow time), then vacuumed and analysed, as autovacuum
 * would have done over the year.
 */
import { Client as PgClient } from 'pg';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { SEARCH_ATTRIBUTES } from 'sluice/internal/temporal';
import type { BigStoreStack } from './big-store-stack';
import { TASK_QUEUE } from './big-store-stack';

const DAY_MS = 86_400_000;
export const FLOWS = Array.from({ length: 12 }, (_, i) => `flow${String(i).padStart(2, '0')}`);
/** A rare phrase in the heavy runs' lines: a search for it reads the whole run (the worst case of a search). */
export const RARE_NEEDLE = 'checksum mismatch';
/**
 * A common phrase whose matches (every third line's 'processed batch 1…', about 33,000 in the run of 500,000) all lie
 * in the run's oldest 40%: a newest-first search goes through 300,000 lines before its first match.
 */
export const COMMON_NEEDLE = 'batch 1';
/** Share of all lines each heavy run holds (100,000 or more each at 10M lines). */
const HEAVY_SHARES = [0.05, 0.03, 0.015, 0.01];
/** Share of all lines whose runs are gone from Temporal: the sweep's million at 10M lines. */
export const GONE_SHARE = 0.105;

export interface SeededRuns {
  /** The real runs with many lines, largest first. */
  heavy: { workflowId: string; runId: string; lines: number }[];
  total: number;
  realRuns: number;
  ms: number;
}

const keys = {
  flow: defineSearchAttributeKey(SEARCH_ATTRIBUTES.flow, SearchAttributeType.KEYWORD),
  deployment: defineSearchAttributeKey(SEARCH_ATTRIBUTES.deployment, SearchAttributeType.KEYWORD),
  startedBy: defineSearchAttributeKey(SEARCH_ATTRIBUTES.startedBy, SearchAttributeType.KEYWORD),
};

/** Starts `real` runs and waits for them; then copies one of their visibility rows until `total` runs are there. */
export async function seedRuns(stack: BigStoreStack, total: number, real: number, say: (l: string) => void): Promise<SeededRuns> {
  const t0 = Date.now();
  const temporal = stack.client.temporal;
  const refs: { workflowId: string; runId: string }[] = [];
  for (let i = 0; i < real; i += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, real - i) }, async (_, j) => {
        const handle = await temporal.workflow.start('sequentialLoggingTasks', {
          taskQueue: TASK_QUEUE,
          workflowId: `sequentialLoggingTasks-bench-${i + j}`,
          args: [{ n: 1 }],
          typedSearchAttributes: [
            { key: keys.flow, value: 'sequentialLoggingTasks' },
            { key: keys.deployment, value: 'nightly' },
            { key: keys.startedBy, value: 'user:bench@example.org' },
          ],
        });
        await handle.result();
        return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
      }),
    );
    refs.push(...batch);
  }
  say(`${real} real runs done in ${Date.now() - t0} ms`);
  const vis = new PgClient({ connectionString: stack.visibilityUrl });
  await vis.connect();
  try {
    // Visibility is written asynchronously: wait until the last real run is there, closed.
    const last = refs.at(-1)!;
    for (let i = 0; ; i++) {
      const { rowCount } = await vis.query(`select 1 from executions_visibility where run_id = $1 and status = 2`, [last.runId]);
      if (rowCount) break;
      if (i > 300) throw new Error(`run ${last.runId} did not reach visibility within 30 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const { rows: [template] } = await vis.query(`select * from executions_visibility where run_id = $1`, [last.runId]);
    const sa = template.search_attributes as Record<string, unknown>;
    const field = (value: string) => {
      const key = Object.keys(sa).find((k) => sa[k] === value);
      if (!key) throw new Error(`no visibility field holds ${value}: ${JSON.stringify(sa)}`);
      return key;
    };
    const [flowField, deploymentField, startedByField] = [field('sequentialLoggingTasks'), field('nightly'), field('user:bench@example.org')];
    const copies = Math.max(total - real, 0);
    // Statuses of a year of use: mostly completed, some failed or timed out, a few cancelled or terminated, a handful running.
    // Temporal's codes: 1 running, 2 completed, 3 failed, 4 canceled, 5 terminated, 7 timed out.
    await vis.query(
      `insert into executions_visibility (namespace_id, run_id, start_time, execution_time, workflow_id, workflow_type_name, status, close_time,
         history_length, history_size_bytes, execution_duration, state_transition_count, memo, encoding, task_queue, search_attributes,
         root_workflow_id, root_run_id, _version)
       select t.namespace_id, s.run_id, s.start_time, s.start_time, s.workflow_id, s.flow, s.status,
         case when s.status = 1 then null else s.start_time + s.duration end,
         11, 2400, case when s.status = 1 then null else extract(epoch from s.duration)::bigint * 1000000000 end, 12, t.memo, t.encoding, t.task_queue,
         t.search_attributes || jsonb_build_object($2::text, s.flow, $3::text, s.deployment, $4::text, s.started_by),
         s.workflow_id, s.run_id, t._version
       from executions_visibility t,
       lateral (
         select gen_random_uuid()::text as run_id, g.flow, g.flow || '-' || g.i as workflow_id,
           case when g.i <= 20 then 1 when g.r < 0.85 then 2 when g.r < 0.93 then 3 when g.r < 0.96 then 7 when g.r < 0.98 then 4 else 5 end as status,
           case when g.i <= 20 then now()::timestamp - (g.i || ' minutes')::interval
                else now()::timestamp - (random() * 365 * 86400 || ' seconds')::interval end as start_time,
           (1 + random() * random() * 3600 || ' seconds')::interval as duration,
           g.flow || '-' || (g.i % 3) as deployment,
           case when g.i % 4 = 0 then 'user:analyst' || (g.i % 7) || '@example.org' else 'schedule:' || g.flow || '/' || g.flow || '-' || (g.i % 3) end as started_by
         from (
           -- Some flows run far more often than others.
           select i, random() as r, 'flow' || lpad((floor(12 * power(random(), 2)))::int::text, 2, '0') as flow from generate_series(1, $5::int) as i
         ) g
       ) s
       where t.run_id = $1`,
      [template.run_id, flowField, deploymentField, startedByField, copies],
    );
    await vis.query('analyze executions_visibility');
  } finally {
    await vis.end();
  }
  // The largest real runs get the most lines.
  const heavy = HEAVY_SHARES.map((_, i) => ({ ...refs[i]!, lines: 0 }));
  return { heavy, total: real + Math.max(total - real, 0), realRuns: real, ms: Date.now() - t0 };
}

export interface SeededLogs {
  lines: number;
  goneLines: number;
  /** A copied run of half a year ago with the most lines of its time (Temporal has no history of it: its lines only). */
  oldRun: { workflowId: string; runId: string; lines: number };
  ms: number;
}

/**
 * `lines` log lines over the runs of visibility (read from it) and over runs it no longer has, in time order.
 * Fills `seeded.heavy[].lines`.
 */
export async function seedLogs(stack: BigStoreStack, lines: number, seeded: SeededRuns, say: (l: string) => void): Promise<SeededLogs> {
  const t0 = Date.now();
  const vis = new PgClient({ connectionString: stack.visibilityUrl });
  const db = new PgClient({ connectionString: stack.pg.url });
  await Promise.all([vis.connect(), db.connect()]);
  try {
    const { rows: runs } = await vis.query<{ workflow_id: string; run_id: string; flow: string; t0: string; t1: string }>(
      `select workflow_id, trim(run_id) as run_id, workflow_type_name as flow,
         (extract(epoch from start_time) * 1000)::bigint as t0, (extract(epoch from coalesce(close_time, now()::timestamp)) * 1000)::bigint as t1
       from executions_visibility where workflow_type_name <> all ($1::text[])`,
      [['temporal-sys-history-scanner-workflow', 'temporal-sys-tq-scanner-workflow']],
    );
    await db.query(`create unlogged table seed_runs (workflow_id text, run_id text, flow text, t0 bigint, t1 bigint, lines int default 0)`);
    for (let i = 0; i < runs.length; i += 10_000) {
      const chunk = runs.slice(i, i + 10_000);
      await db.query(`insert into seed_runs (workflow_id, run_id, flow, t0, t1) select * from unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::int8[])`, [
        chunk.map((r) => r.workflow_id), chunk.map((r) => r.run_id), chunk.map((r) => r.flow), chunk.map((r) => r.t0), chunk.map((r) => r.t1),
      ]);
    }
    // Runs Temporal dropped (its retention): older than every run it still has.
    const gone = Math.max(1, Math.round(runs.length / 100));
    const oldest = Math.min(...runs.map((r) => Number(r.t0)));
    await db.query(
      `insert into seed_runs (workflow_id, run_id, flow, t0, t1)
       select 'gone-' || i, gen_random_uuid()::text, 'flow00', $1::int8 - i::int8 * 3600000, $1::int8 - i::int8 * 3600000 + 600000 from generate_series(1, $2::int) i`,
      [oldest - DAY_MS, gone],
    );
    // Line counts: the heavy runs their share, the gone runs theirs, the rest heavy-tailed (most a few lines, some thousands).
    const heavyLines = HEAVY_SHARES.map((s) => Math.round(lines * s));
    const goneLines = Math.round(lines * GONE_SHARE);
    const rest = lines - heavyLines.reduce((a, b) => a + b, 0) - goneLines;
    for (const [i, h] of seeded.heavy.entries()) {
      h.lines = heavyLines[i]!;
      // A line every 50 ms, ending an hour ago.
      const t0 = Date.now() - h.lines * 50 - 3_600_000;
      await db.query(`update seed_runs set lines = $2, t0 = $3, t1 = $4 where run_id = $1`, [h.runId, h.lines, t0, t0 + h.lines * 50]);
    }
    await db.query(
      `with w as (select run_id, power(-ln(1 - random()), 3) as w from seed_runs where run_id <> all ($1::text[]) and workflow_id not like 'gone-%'),
         s as (select sum(w) as total from w)
       update seed_runs r set lines = greatest(1, round(w.w / s.total * $2))::int from w, s where r.run_id = w.run_id`,
      [seeded.heavy.map((h) => h.runId), rest],
    );
    await db.query(`update seed_runs set lines = ceil($1::numeric / $2)::int where workflow_id like 'gone-%'`, [goneLines, gone]);
    const { rows: [planned] } = await db.query<{ n: string }>(`select sum(lines) as n from seed_runs`);
    say(`seeding ${Number(planned!.n).toLocaleString('en-US')} log lines over ${runs.length + gone} runs (${gone} gone from Temporal)`);
    await db.query(`set work_mem = '256MB'; set maintenance_work_mem = '512MB'`);
    // The search index (migration 0019) is built once after the lines are in: the same index, made far faster than
    // row by row (a restore of a big store would do the same).
    const { rows: searchIndex } = await db.query<{ def: string }>(
      `select pg_get_indexdef(indexrelid) as def from pg_index where indrelid = 'logs'::regclass and indexrelid = 'logs_search'::regclass`,
    ).catch(() => ({ rows: [] as { def: string }[] }));
    if (searchIndex.length) await db.query(`drop index logs_search`);
    // The column default takes ids from the sequence directly once a session has declared itself (migration 0014).
    await db.query(`select set_config('sluice.log_writer', 'declared', false)`);
    await db.query(
      `insert into logs (time, level, message, fields, workflow_id, run_id, flow, task, activity_id, attempt)
       select r.t0 + (g.i::int8 * greatest(r.t1 - r.t0, r.lines)) / r.lines as time,
         case when g.i % 97 = 0 then 'warn' when g.i % 331 = 0 then 'error' when g.i % 5 = 0 then 'debug' else 'info' end,
         case when g.i % 50000 = 7 then 'row ' || g.i || ': ${RARE_NEEDLE} in part-' || (g.i % 1000) || '.csv'
              when g.i % 3 = 0 then 'processed batch ' || g.i || ' of ' || r.lines || ' (' || (g.i * 7919 % 1000) || ' rows)'
              when g.i % 3 = 1 then 'downloading https://data.example.org/exports/part-' || lpad((g.i % 10000)::text, 5, '0') || '.csv.gz'
              else 'wrote ' || (g.i * 104729 % 100000) || ' bytes to s3://bucket/' || r.flow || '/' || g.i || '.parquet' end,
         case when g.i % 4 = 0 then '{"rows":' || (g.i * 7919 % 1000) || ',"file":"part-' || (g.i % 1000) || '.csv"}' end,
         r.workflow_id, r.run_id, r.flow, case when g.i % 10 = 0 then null else 'step' end, case when g.i % 10 = 0 then null else '1' end,
         case when g.i % 10 = 0 then null else 1 end
       from seed_runs r, generate_series(1::int8, r.lines) g(i)
       order by 1`,
    );
    if (searchIndex.length) await db.query(searchIndex[0]!.def);
    say(`lines inserted after ${Date.now() - t0} ms; vacuuming and analysing`);
    // A run of half a year ago with many lines: its lines are far from the newest ids.
    const { rows: [old] } = await db.query<{ workflow_id: string; run_id: string; lines: number }>(
      `select workflow_id, run_id, lines from seed_runs where t0 < $1 and workflow_id not like 'gone-%' order by lines desc limit 1`,
      [Date.now() - 180 * DAY_MS],
    );
    await db.query(`drop table seed_runs`);
    await db.query(`vacuum (analyze) logs`);
    return { lines: Number(planned!.n), goneLines, oldRun: { workflowId: old!.workflow_id, runId: old!.run_id, lines: old!.lines }, ms: Date.now() - t0 };
  } finally {
    await Promise.all([vis.end(), db.end()]);
  }
}
