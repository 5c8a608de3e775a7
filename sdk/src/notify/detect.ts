/**
 * Finds events in Temporal, the source of truth for runs: runs closed since the cursor (failed, timed out,
 * cancelled, recovered), runs running longer than a rule allows, and deployments whose scheduled run did
 * not start on time. Only runs of flows in this store's catalog count, on the task queue that serves them.
 */
import type { SluiceClient } from '../client/sluice-client';
import type { RunStatus, RunSummary } from '../client/types';
import { questionsOf } from '../client/answers';
import { openQuestionOf } from '../questions';
import { runQuery, summaryOf } from '../client/visibility';
import { BACKFILL_WORKFLOW } from '../backfill/types';
import { scheduleIdOf } from '../deployments';
import { scheduleStarter } from '../run-attributes';
import type { FlowEntry } from '../store';
import type { EventDetail } from './messages';
import { eachLimited } from './each-limited';
import { readState, writeState } from './notifier-state';
import { DEFAULT_LATE_AFTER_MS, ruleCovers, type Rule } from './rules';
import type { NotifyEvent } from './types';

/** One event found, with the rules it concerns. */
export interface Found {
  runKey: string;
  detail: EventDetail;
  rules: Rule[];
}

const CLOSED_EVENT: Partial<Record<RunStatus, NotifyEvent>> = { failed: 'failed', terminated: 'failed', timed_out: 'timed_out', cancelled: 'cancelled' };
const iso = (ms: number) => new Date(ms).toISOString();
/** Runs handed over at once, and details (the run's history and log tail) read at once. */
const RUNS_PER_PAGE = 500;
const DETAILS_AT_ONCE = 8;

export class Detector {
  constructor(
    private readonly client: SluiceClient,
    private readonly publicUrl: string | null,
  ) {}

  private get db() {
    return this.client.store.db;
  }

  /** Runs of this catalog's flows (on their own task queue) that `query` finds, read 1,000 a page. */
  private async runs(query: string, catalog: Map<string, FlowEntry>): Promise<RunSummary[]> {
    const runs: RunSummary[] = [];
    for await (const info of this.client.temporal.workflow.list({ query, pageSize: 1_000 })) {
      // A backfill's driver carries its flow's attributes but is no run of it: its end is nobody's alert.
      if (info.type === BACKFILL_WORKFLOW) continue;
      const run = summaryOf(info);
      if (catalog.get(run.flow)?.taskQueue === run.taskQueue) runs.push(run);
    }
    return runs;
  }

  /**
   * Closed runs with close time from `from` on, oldest close first; remembers each flow's last outcome for
   * `recovered`. Hands the events to `take` 500 runs at a time — whether they are recorded already asked in one
   * query per page, the others' details read 8 at a time — so a burst of thousands of failed runs never makes a
   * query with a parameter per run, and the caller records (and renews its lease) page by page.
   */
  async closed(
    from: number,
    catalog: Map<string, FlowEntry>,
    rules: Rule[],
    knownOf: (runKeys: string[]) => Promise<(f: Found) => boolean>,
    take: (found: Found[]) => Promise<void>,
  ): Promise<void> {
    const runs = (await this.runs(`CloseTime >= "${iso(from)}"`, catalog)).sort((a, b) => (a.closeTime ?? '').localeCompare(b.closeTime ?? ''));
    this.pendingOutcomes.length = 0; // what a failed tick left: this pass sees those runs again
    const candidates: Found[] = [];
    const outcomes = new Map<string, { failing: boolean; closeTime: string }>();
    for (const run of runs) {
      const outcomeKey = `outcome:${run.flow}:${run.deployment ?? ''}`;
      let previous = outcomes.get(outcomeKey);
      if (!previous) {
        previous = JSON.parse((await readState(this.db, outcomeKey)) ?? '{"failing":false,"closeTime":""}') as { failing: boolean; closeTime: string };
        outcomes.set(outcomeKey, previous);
      }
      const newer = (run.closeTime ?? '') > previous.closeTime;
      const event = CLOSED_EVENT[run.status] ?? (run.status === 'completed' && newer && previous.failing ? 'recovered' : undefined);
      const concerned = event ? rules.filter((r) => r.events.includes(event) && ruleCovers(r, run.flow, run.deployment)) : [];
      if (event && concerned.length) candidates.push({ runKey: run.runId, detail: this.bare(run, event), rules: concerned });
      if (newer && run.status !== 'cancelled') {
        const outcome = { failing: run.status !== 'completed' && run.status !== 'continued_as_new', closeTime: run.closeTime ?? '' };
        outcomes.set(outcomeKey, outcome);
        this.pendingOutcomes.push([outcomeKey, JSON.stringify(outcome)]);
      }
    }
    // Read the run and its logs only for events not recorded yet (the window overlaps the last one).
    const byId = new Map(runs.map((r) => [r.runId, r]));
    for (let i = 0; i < candidates.length; i += RUNS_PER_PAGE) {
      const page = candidates.slice(i, i + RUNS_PER_PAGE);
      const isKnown = await knownOf(page.map((c) => c.runKey));
      const fresh = page.filter((c) => !isKnown(c));
      await take(await eachLimited(fresh, DETAILS_AT_ONCE, async (c) => ({ ...c, detail: await this.detailOf(byId.get(c.runKey)!, c.detail.event) })));
    }
  }

  /** Outcomes to remember once the events found with them are recorded (a crash in between loses no `recovered`). */
  private readonly pendingOutcomes: [string, string][] = [];

  async saveOutcomes(): Promise<void> {
    for (const [key, value] of this.pendingOutcomes.splice(0)) await writeState(this.db, key, value);
  }

  /** Running runs older than a `long_running` rule allows. */
  async longRunning(now: number, catalog: Map<string, FlowEntry>, rules: Rule[]): Promise<Found[]> {
    const concerned = rules.filter((r) => r.events.includes('long_running') && r.longerThanMs);
    if (concerned.length === 0) return [];
    const found: Found[] = [];
    for (const run of await this.runs('ExecutionStatus = "Running"', catalog)) {
      const age = now - Date.parse(run.startTime);
      const over = concerned.filter((r) => ruleCovers(r, run.flow, run.deployment) && age > r.longerThanMs!);
      if (over.length) found.push({ runKey: run.runId, detail: { ...this.bare(run, 'long_running'), note: `Running for ${minutes(age)} (started ${run.startTime}).` }, rules: over });
    }
    return found;
  }

  /**
   * Runs waiting for an answer (SluiceWaiting set): one event per question, the question read from the run's
   * memo (no worker needed), so a second question of the same run is told again.
   */
  async asked(catalog: Map<string, FlowEntry>, rules: Rule[]): Promise<Found[]> {
    const concerned = rules.filter((r) => r.events.includes('asked'));
    if (concerned.length === 0) return [];
    const found: Found[] = [];
    for await (const info of this.client.temporal.workflow.list({ query: runQuery({ waitingForInput: true }), pageSize: 1_000 })) {
      const run = summaryOf(info);
      const question = openQuestionOf(questionsOf(info.memo));
      const covering = concerned.filter((r) => ruleCovers(r, run.flow, run.deployment));
      if (!question || !covering.length || catalog.get(run.flow)?.taskQueue !== run.taskQueue) continue;
      const until = question.timeoutAt ? ` Answer by ${question.timeoutAt}${question.default !== null ? ', else the default is used' : ''}.` : '';
      found.push({
        runKey: `asked:${run.runId}:${question.id}`,
        detail: { ...this.bare(run, 'asked'), note: `Asks: ${question.question}${question.about ? ` (about: ${question.about})` : ''}.${until}` },
        rules: covering,
      });
    }
    return found;
  }

  /**
   * Scheduled runs that did not start on time. Each tick remembers a deployment's next due time; once that
   * time is `lateAfter` past, the schedule's recent actions must show a start within `lateAfter` of it.
   * A paused deployment is never late.
   */
  async late(now: number, catalog: Map<string, FlowEntry>, rules: Rule[]): Promise<Found[]> {
    const concerned = rules.filter((r) => r.events.includes('late'));
    if (concerned.length === 0) return [];
    const found: Found[] = [];
    for (const flow of catalog.values()) {
      for (const d of flow.deployments as { name: string; cron?: unknown; interval?: unknown }[]) {
        if (d.cron === undefined && d.interval === undefined) continue;
        const covering = concerned.filter((r) => ruleCovers(r, flow.name, d.name));
        if (covering.length === 0) continue;
        const scheduleId = scheduleIdOf(flow.name, d.name);
        const dueKey = `due:${scheduleId}`;
        let description;
        try {
          description = await this.client.temporal.schedule.getHandle(scheduleId).describe();
        } catch {
          continue; // not synced yet, or deleted: nothing is due
        }
        const next = description.info.nextActionTimes[0]?.getTime();
        const dueText = await readState(this.db, dueKey);
        const due = dueText ? Number(dueText) : undefined;
        if (description.state.paused || due === undefined) {
          if (next !== undefined) await writeState(this.db, dueKey, String(next));
          continue;
        }
        const lateAfter = Math.min(...covering.map((r) => r.lateAfterMs ?? DEFAULT_LATE_AFTER_MS));
        if (now < due + lateAfter) continue;
        const action = description.info.recentActions.find((a) => Math.abs(a.scheduledAt.getTime() - due) < 1_000);
        const started = action && action.takenAt.getTime() - due <= lateAfter;
        const lateRules = covering.filter((r) => !started || (action && action.takenAt.getTime() - due > (r.lateAfterMs ?? DEFAULT_LATE_AFTER_MS)));
        if (lateRules.length) {
          found.push({
            runKey: `late:${scheduleId}@${iso(due)}`,
            detail: {
              event: 'late',
              flow: flow.name,
              deployment: d.name,
              workflowId: scheduleId,
              runId: null,
              startedBy: scheduleStarter(flow.name, d.name),
              error: null,
              task: null,
              logTail: [],
              startTime: null,
              closeTime: null,
              url: this.publicUrl ? `${this.publicUrl}/flows/${encodeURIComponent(flow.name)}` : null,
              note: action ? `Due ${iso(due)}, started ${action.takenAt.toISOString()}.` : `Due ${iso(due)}, not started (skipped, or the schedule could not start it).`,
            },
            rules: lateRules,
          });
        }
        await writeState(this.db, dueKey, String(next ?? due));
      }
    }
    return found;
  }

  private bare(run: RunSummary, event: NotifyEvent): EventDetail {
    return {
      event,
      flow: run.flow,
      deployment: run.deployment,
      workflowId: run.workflowId,
      runId: run.runId,
      startedBy: run.startedBy,
      error: null,
      task: null,
      logTail: [],
      startTime: run.startTime,
      closeTime: run.closeTime,
      url: this.publicUrl ? `${this.publicUrl}/runs/${encodeURIComponent(run.workflowId)}/${encodeURIComponent(run.runId)}` : null,
      note: null,
    };
  }

  /** The readable error, the failing task and its last log lines. */
  private async detailOf(run: RunSummary, event: NotifyEvent): Promise<EventDetail> {
    const detail = this.bare(run, event);
    if (event === 'recovered') return detail;
    const full = await this.client.getRun(run.workflowId, run.runId);
    const failedTask = full?.tasks.filter((t) => t.status === 'failed' || t.status === 'timed_out').at(-1);
    const logs = await this.client.store.readLogs({ runId: run.runId, ...(failedTask ? { task: failedTask.task } : {}), order: 'desc', limit: 10 });
    return {
      ...detail,
      error: full?.failure?.message ?? failedTask?.lastFailure?.message ?? null,
      task: failedTask?.task ?? null,
      logTail: logs.reverse().map((l) => `${iso(l.time)} ${l.level} ${l.message}`),
    };
  }
}

function minutes(ms: number): string {
  const m = Math.floor(ms / 60_000);
  return m >= 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : m >= 1 ? `${m} min` : `${Math.floor(ms / 1000)} s`;
}
