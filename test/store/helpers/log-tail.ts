// A reader that follows runs as the run page does: asks for lines after the last id it saw, keeps what it got.
import type { Store } from 'sluice/internal/store';

export class LogTail {
  private readonly seen = new Map<string, { id: number; message: string }[]>();

  constructor(
    private readonly store: Store,
    private readonly runIds: readonly string[],
  ) {
    for (const runId of runIds) this.seen.set(runId, []);
  }

  /** One round: each run's lines after its last seen id, until a page comes back short. */
  async poll(): Promise<void> {
    for (const runId of this.runIds) {
      const seen = this.seen.get(runId)!;
      for (;;) {
        const page = await this.store.readLogs({ runId, afterId: seen.at(-1)?.id ?? 0, limit: 1000 });
        seen.push(...page.map((l) => ({ id: l.id, message: l.message })));
        if (page.length < 1000) break;
      }
    }
  }

  /** The messages the tail has of a run, in the order it got them. */
  messages(runId: string): string[] {
    return this.seen.get(runId)!.map((l) => l.message);
  }

  /** The ids the tail has of a run, in the order it got them. */
  ids(runId: string): number[] {
    return this.seen.get(runId)!.map((l) => l.id);
  }
}

/** What the table holds for a run, by id, read directly (not through readLogs). */
export async function tableMessages(store: Store, runId: string): Promise<string[]> {
  const rows = await store.db.selectFrom('logs').select('message').where('run_id', '=', runId).orderBy('id').execute();
  return rows.map((r) => r.message);
}

/** The table's ids for a run, ascending, read directly. */
export async function tableIds(store: Store, runId: string): Promise<number[]> {
  const rows = await store.db.selectFrom('logs').select('id').where('run_id', '=', runId).orderBy('id').execute();
  return rows.map((r) => Number(r.id));
}
