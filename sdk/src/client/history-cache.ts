/**
 * The histories this client read lately, each kept as what the run page shows (a HistoryReader) with the id of
 * its last event. Reading a run again fetches only the events added since — a running run's page refreshes
 * every 2 s, and a 1,000-task history is a megabyte — and a closed run's history is fetched once. Safe because
 * a run's history only grows: events are appended, never changed (a reset starts a new run).
 */
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { HistoryReader } from './run-history';

type Event = temporal.api.history.v1.IHistoryEvent;

/** Runs kept, least recently read dropped first. A reader holds one small object per task (not the events). */
const MAX_RUNS = 64;

interface Entry {
  reader: HistoryReader;
  /** The update in progress: two requests for one run at once add each event once. */
  busy: Promise<unknown>;
}

export class HistoryCache {
  private readonly runs = new Map<string, Entry>();

  constructor(
    private readonly temporal: Client,
    private readonly maxRuns = MAX_RUNS,
  ) {}

  /**
   * The run's history read to at least `historyLength` events, as describe counted them (the events a
   * describe does not count yet are read next time). Fetches the events after the last one read, if any.
   */
  async read(workflowId: string, runId: string, historyLength: number): Promise<HistoryReader> {
    const key = `${workflowId}\n${runId}`;
    let entry = this.runs.get(key);
    if (entry) this.runs.delete(key); // re-inserted below: the Map's order is the order of last use
    entry ??= { reader: new HistoryReader(), busy: Promise.resolve() };
    this.runs.set(key, entry);
    for (const old of this.runs.keys()) {
      if (this.runs.size <= this.maxRuns) break;
      this.runs.delete(old);
    }
    const current = entry;
    const update = current.busy.then(async () => {
      if (current.reader.lastEventId >= historyLength) return current.reader;
      const tail = current.reader.lastEventId > 0 ? await this.after(workflowId, runId, current.reader.lastEventId, historyLength) : undefined;
      if (!tail) current.reader = new HistoryReader(); // nothing read yet, or the tail did not join up: read it all
      const events = tail ?? (await this.all(workflowId, runId));
      const from = current.reader.lastEventId;
      // Only events describe counted: a forward read may end with a workflow task's transient events, which
      // Temporal does not store and may replace.
      current.reader.add(events.filter((e) => Number(e.eventId) > from && Number(e.eventId) <= historyLength));
      return current.reader;
    });
    current.busy = update.catch(() => undefined);
    try {
      return await update;
    } catch (err) {
      this.runs.delete(key); // start afresh next time rather than build on a partial read
      throw err;
    }
  }

  /** The whole history, oldest first. */
  private async all(workflowId: string, runId: string): Promise<Event[]> {
    const events: Event[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await this.temporal.workflowService.getWorkflowExecutionHistory({
        namespace: this.temporal.options.namespace,
        execution: { workflowId, runId },
        nextPageToken,
        skipArchival: true,
      });
      events.push(...(page.history?.events ?? []));
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    return events;
  }

  /**
   * The events after `lastEventId`, oldest first: read from the end backwards (Temporal's reverse history), as
   * far back as needed. Undefined if what came back does not join up (then the caller reads the whole history).
   */
  private async after(workflowId: string, runId: string, lastEventId: number, historyLength: number): Promise<Event[] | undefined> {
    const events: Event[] = [];
    let nextPageToken: Uint8Array | undefined;
    for (;;) {
      const page = await this.temporal.workflowService.getWorkflowExecutionHistoryReverse({
        namespace: this.temporal.options.namespace,
        execution: { workflowId, runId },
        maximumPageSize: Math.max(historyLength - lastEventId, 1),
        nextPageToken,
      });
      const got = page.history?.events ?? [];
      events.push(...got);
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
      if (!nextPageToken || got.some((e) => Number(e.eventId) <= lastEventId + 1)) break;
    }
    const tail = events.filter((e) => Number(e.eventId) > lastEventId).sort((a, b) => Number(a.eventId) - Number(b.eventId));
    const joined = tail.length > 0 && Number(tail[0].eventId) === lastEventId + 1 && tail.every((e, i) => Number(e.eventId) === lastEventId + 1 + i);
    return joined ? tail : undefined;
  }
}
