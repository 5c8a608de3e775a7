/**
 * What a backfill is on the wire between the client and its driver workflow (sandbox-safe: types and constants only).
 * A backfill runs a deployment once for every slot of its schedule in a past range, at most `maxRunning` at once.
 */

/** The driver workflow's type, registered by every Sluice worker next to its flows (worker/bundle.ts). */
export const BACKFILL_WORKFLOW = 'sluiceBackfill';
/** The driver's query: its progress (BackfillProgress). */
export const BACKFILL_PROGRESS_QUERY = 'sluiceBackfillProgress';
/**
 * Most slots one backfill may have: more is refused before anything starts (split the range).
 *
 * @example
 * if ((await sluice.previewBackfill('dailyImport', 'daily', { from, to })).runs > MAX_BACKFILL_SLOTS) splitRange();
 */
export const MAX_BACKFILL_SLOTS = 1000;
/**
 * Most runs of one backfill running at once.
 *
 * @example
 * await sluice.backfill('dailyImport', 'daily', { from: '2026-03-01', to: '2026-03-31', maxRunning: Math.min(8, MAX_BACKFILL_RUNNING) });
 */
export const MAX_BACKFILL_RUNNING = 50;
/** The memo key on a backfilled run that holds its slot's time (Temporal's own TemporalScheduledStartTime is set too). */
export const SCHEDULED_TIME_MEMO = 'sluiceScheduledTime';

/** What the client hands the driver: everything needed to start each slot's run, decided before it starts. */
export interface BackfillInput {
  flow: string;
  deployment: string;
  scheduleId: string;
  taskQueue: string;
  /** The deployment's parameters, as its scheduled runs get them. */
  parameters: Record<string, unknown>;
  /** The slots' times, ISO 8601, oldest first. */
  slots: string[];
  maxRunning: number;
  runTimeoutMs: number;
  /** `SluiceStartedBy` of every run it starts: `backfill:<driver workflow id>`. */
  startedBy: string;
}

export type BackfillState = 'running' | 'completed' | 'cancelled';

/** How far a backfill got; `done` counts runs that ended, whatever their end. */
export interface BackfillProgress {
  state: BackfillState;
  total: number;
  started: number;
  running: number;
  done: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** The runs it started, by slot: workflowId and runId, and how each ended (absent while running). */
  runs: { slot: string; workflowId: string; runId: string; outcome?: 'completed' | 'failed' | 'cancelled' }[];
}

/**
 * What a backfill would do: how many runs, which slots first and last, how many at once. Nothing is started.
 *
 * @example
 * const p = await sluice.previewBackfill('dailyImport', 'daily', { from: '2026-03-01', to: '2026-03-31' });
 * console.log(`${p.runs} runs, ${p.firstSlot} … ${p.lastSlot}, ${p.maxRunning} at once`);
 */
export interface BackfillPreview {
  flow: string;
  deployment: string;
  from: string;
  to: string;
  /** How many runs it makes: one per slot. */
  runs: number;
  firstSlot: string | null;
  lastSlot: string | null;
  maxRunning: number;
  overlap: 'skip' | 'bufferOne' | 'allowAll';
}

/**
 * A backfill as the client reads it: its request, its state, and its runs counted by how they ended (Temporal's visibility).
 *
 * @example
 * for (const b of await sluice.listBackfills('dailyImport', 'daily')) console.log(b.id, b.state);
 */
export interface BackfillInfo {
  id: string;
  flow: string;
  deployment: string;
  from: string;
  to: string;
  startedBy: string | null;
  startTime: string;
  /** `running` while it starts or waits for runs; `completed` when all ended; `cancelled` as a whole. */
  state: string;
  total: number;
  maxRunning: number;
  /** Its runs by status, as the runs list counts them (`running`, `completed`, `failed`, …). */
  runs: Partial<Record<string, number>>;
  /** Runs that ended, whatever their end. */
  done: number;
  /** The runs list filtered to this backfill's runs (their `SluiceStartedBy`). */
  runsStartedBy: string;
}
