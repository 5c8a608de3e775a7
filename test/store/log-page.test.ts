// The run page's bounded log reads (Store.readLogPage): a filtered read searches a window of the run's lines and says
// how far it got, so the caller reads on from there. The same test body on SQLite and on PostgreSQL; windows of a few
// lines show on a small run what windows of thousands do on a big one.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openStore, type LogRecord, type Store } from 'sluice/internal/store';
import type { LogQuery, StoredLog } from 'sluice/internal/types';
import { DIALECTS, freshStoreUrl, type FreshStoreUrl } from './helpers/stores';

const T0 = 1_700_000_000_000;
/** One window a read, of this many lines. */
const ONE_WINDOW = { window: 10, budgetMs: 0 };

function line(runId: string, i: number, message = `line ${i}`, extra: Partial<LogRecord> = {}): LogRecord {
  return { time: T0 + i, level: 'info', message, workflowId: `wf-${runId}`, runId, ...extra };
}

for (const dialect of DIALECTS) {
  describe(`bounded log reads on ${dialect}`, () => {
    let fresh: FreshStoreUrl;
    let store: Store;
    before(async () => {
      fresh = await freshStoreUrl(dialect, 'logpage');
      store = await openStore(fresh.url, { migrate: true });
    });
    after(async () => {
      await store?.close();
      await fresh?.cleanup();
    });

    /** 60 lines, the 5 matches of 'disk full' among the oldest 10 only; another run's lines in between. */
    async function runWithOldMatches(runId: string): Promise<StoredLog[]> {
      for (let i = 0; i < 60; i++) {
        await store.insertLogs([line(runId, i, i < 10 && i % 2 === 0 ? `DISK FULL on node ${i}` : `line ${i}`), line(`${runId}-other`, i, 'disk full elsewhere')]);
      }
      return store.readLogs({ runId, limit: 100 });
    }

    /** Reads newest first from the cursor each answer gives until a page of `limit` or the run's first line. */
    async function searchBack(q: LogQuery, options = ONE_WINDOW) {
      const lines: StoredLog[] = [];
      const answers = [];
      for (let beforeId: number | undefined; ; ) {
        const page = await store.readLogPage({ ...q, order: 'desc', limit: (q.limit ?? 500) - lines.length, ...(beforeId === undefined ? {} : { beforeId }) }, options);
        answers.push(page);
        lines.push(...page.logs);
        if (!page.more || lines.length === (q.limit ?? 500)) return { lines, answers };
        assert.equal(typeof page.beforeId, 'number');
        beforeId = page.beforeId!;
      }
    }

    test('a search whose matches lie beyond the first window says how far it searched, and the next reads find them', async () => {
      const all = await runWithOldMatches('run-old-matches');
      const first = await store.readLogPage({ runId: 'run-old-matches', order: 'desc', search: 'disk full', limit: 1000 }, ONE_WINDOW);
      assert.deepEqual(first.logs, [], 'no match among the newest 10 lines');
      assert.equal(first.searched, 10);
      assert.equal(first.beforeId, all[50].id, 'read on below the 10th newest line');
      assert.equal(first.afterId, all[59].id, 'the tail goes on from the newest line searched');
      assert.equal(first.more, true);

      const { lines, answers } = await searchBack({ runId: 'run-old-matches', search: 'disk full', limit: 1000 });
      assert.deepEqual(lines.map((l) => l.message), ['DISK FULL on node 8', 'DISK FULL on node 6', 'DISK FULL on node 4', 'DISK FULL on node 2', 'DISK FULL on node 0']);
      assert.equal(answers.length, 6, 'six windows of 10 lines');
      assert.equal(answers.at(-1)!.beforeId, null, "the run's first line was searched");
      assert.equal(answers.reduce((n, a) => n + (a.searched ?? 0), 0), 60, 'every line of the run searched once');
      assert.ok(answers.every((a) => a.searched !== null && a.searched <= 10));
    });

    test('a full page stops at its last match: the next read starts below it and repeats nothing', async () => {
      const runId = 'run-full-page';
      await store.insertLogs(Array.from({ length: 30 }, (_, i) => line(runId, i, i % 3 === 0 ? `retry ${i}` : `ok ${i}`)));
      const { lines, answers } = await searchBack({ runId, search: 'RETRY', limit: 4 });
      assert.deepEqual(lines.map((l) => l.message), ['retry 27', 'retry 24', 'retry 21', 'retry 18']);
      const last = answers.at(-1)!;
      assert.equal(last.more, true);
      assert.equal(last.beforeId, lines.at(-1)!.id);
      assert.equal(answers.reduce((n, a) => n + (a.searched ?? 0), 0), 12, 'the lines from the newest down to the last match (retry 18)');
      const rest = await searchBack({ runId, search: 'RETRY', limit: 100, beforeId: last.beforeId! });
      assert.deepEqual(rest.lines.map((l) => l.message), ['retry 15', 'retry 12', 'retry 9', 'retry 6', 'retry 3', 'retry 0']);
    });

    test('the tail with a search reads on from the highest id searched, not from its last match', async () => {
      const runId = 'run-tail';
      await store.insertLogs(Array.from({ length: 25 }, (_, i) => line(runId, i, i === 3 ? 'warning: slow disk' : `step ${i}`)));
      const all = await store.readLogs({ runId });
      const newest = await store.readLogPage({ runId, order: 'desc', search: 'slow disk', limit: 1000 }, ONE_WINDOW);
      assert.deepEqual(newest.logs, []);
      let afterId = newest.afterId;
      assert.equal(afterId, all[24].id);

      const quiet = await store.readLogPage({ runId, afterId, search: 'slow disk', limit: 1000 }, ONE_WINDOW);
      assert.deepEqual(quiet, { logs: [], searched: 0, afterId, more: false }, 'nothing new: nothing searched again');

      await store.insertLogs(Array.from({ length: 14 }, (_, i) => line(runId, 25 + i, i === 12 ? 'warning: slow disk again' : `step ${25 + i}`)));
      const grown = await store.readLogs({ runId, afterId });
      const first = await store.readLogPage({ runId, afterId, search: 'slow disk', limit: 1000 }, ONE_WINDOW);
      assert.deepEqual(first.logs, [], 'the first 10 new lines hold no match');
      assert.equal(first.searched, 10);
      assert.equal(first.afterId, grown[9].id);
      assert.equal(first.more, true, 'more new lines to search');
      afterId = first.afterId;
      const second = await store.readLogPage({ runId, afterId, search: 'slow disk', limit: 1000 }, ONE_WINDOW);
      assert.deepEqual(second.logs.map((l) => l.message), ['warning: slow disk again']);
      assert.equal(second.searched, 4);
      assert.equal(second.afterId, grown[13].id);
      assert.equal(second.more, false);
    });

    test('several windows in one read while its time budget lasts: the same matches as a whole read', async () => {
      await runWithOldMatches('run-budget');
      const whole = await store.readLogs({ runId: 'run-budget', order: 'desc', search: 'disk full' });
      const page = await store.readLogPage({ runId: 'run-budget', order: 'desc', search: 'disk full', limit: 1000 }, { window: 7, budgetMs: 60_000 });
      assert.deepEqual(page.logs, whole);
      assert.equal(page.beforeId, null);
      assert.equal(page.more, false);
      assert.ok(page.searched === null || page.searched === 60, `searched ${page.searched}`);
    });

    test('level and task filters are bounded alike; an unfiltered page says where the next one starts', async () => {
      const runId = 'run-levels';
      await store.insertLogs(Array.from({ length: 30 }, (_, i) => line(runId, i, `l${i}`, { level: i === 2 ? 'error' : 'info', task: i % 2 ? 'odd' : 'even' })));
      const errors = await searchBack({ runId, minLevel: 'error', limit: 1000 });
      assert.deepEqual(errors.lines.map((l) => l.message), ['l2']);
      assert.equal(errors.answers.length, 3);
      const odd = await store.readLogPage({ runId, order: 'desc', task: 'odd', limit: 1000 }, ONE_WINDOW);
      assert.deepEqual(odd.logs.map((l) => l.message), ['l29', 'l27', 'l25', 'l23', 'l21']);

      const all = await store.readLogs({ runId });
      const newest = await store.readLogPage({ runId, order: 'desc', limit: 20 }, ONE_WINDOW);
      assert.equal(newest.logs.length, 20, 'an unfiltered page is its lines: no window');
      assert.deepEqual({ searched: newest.searched, beforeId: newest.beforeId, afterId: newest.afterId, more: newest.more }, { searched: 20, beforeId: all[10].id, afterId: all[29].id, more: true });
      const oldest = await store.readLogPage({ runId, order: 'desc', beforeId: all[10].id, limit: 20 });
      assert.deepEqual({ n: oldest.logs.length, beforeId: oldest.beforeId, more: oldest.more }, { n: 10, beforeId: null, more: false });
      const forwards = await store.readLogPage({ runId, afterId: all[27].id, limit: 20 });
      assert.deepEqual({ n: forwards.logs.length, afterId: forwards.afterId, more: forwards.more }, { n: 2, afterId: all[29].id, more: false });
      const empty = await store.readLogPage({ runId: 'no-such-run', order: 'desc', search: 'x' });
      assert.deepEqual(empty, { logs: [], searched: 0, beforeId: null, afterId: 0, more: false });
    });
  });
}

describe('bounded log reads on postgres, of a needle the trigram index finds', () => {
  let fresh: FreshStoreUrl;
  let store: Store;
  before(async () => {
    fresh = await freshStoreUrl('postgres', 'logpagetrgm');
    store = await openStore(fresh.url, { migrate: true });
  });
  after(async () => {
    await store?.close();
    await fresh?.cleanup();
  });

  test('one read searches the rest of the run through the index, whatever the window, and says so', async (t) => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_indexes where indexname = 'logs_search'`.execute(store.db);
    if (rows[0]!.n === 0) return t.skip('pg_trgm is not available on this server: no trigram index');
    // 20,000 lines: in a smaller table the planner reads the run rather than the index (and the windows answer).
    const runId = 'run-rare';
    await store.insertLogs(Array.from({ length: 20_000 }, (_, i) => line(runId, i, i === 5 || i === 150 ? `checksum mismatch in part ${i}` : `line ${i}`)));
    await store.insertLogs([line('run-rare-other', 0, 'checksum mismatch elsewhere')]);
    await sql`analyze logs`.execute(store.db);
    const [newest] = await store.readLogs({ runId, order: 'desc', limit: 1 });
    const [at150] = await store.readLogs({ runId, search: 'part 150' });

    const page = await store.readLogPage({ runId, order: 'desc', search: 'CHECKSUM MISMATCH', limit: 1000 }, ONE_WINDOW);
    assert.deepEqual(page.logs.map((l) => l.message), ['checksum mismatch in part 150', 'checksum mismatch in part 5']);
    assert.deepEqual({ searched: page.searched, beforeId: page.beforeId, afterId: page.afterId, more: page.more }, { searched: null, beforeId: null, afterId: newest!.id, more: false });
    const one = await store.readLogPage({ runId, order: 'desc', search: 'CHECKSUM MISMATCH', limit: 1 }, ONE_WINDOW);
    assert.deepEqual({ n: one.logs.length, beforeId: one.beforeId, more: one.more }, { n: 1, beforeId: at150!.id, more: true });
    // Forwards from a cursor just below a match the planner may walk instead (a match is near): either way, read on
    // until nothing is left, the tail ends at the newest line with that one match.
    const tail: string[] = [];
    let afterId = at150!.id - 1;
    for (let more = true; more; ) {
      const next = await store.readLogPage({ runId, afterId, search: 'checksum mismatch', limit: 1000 }, { window: 5_000, budgetMs: 0 });
      tail.push(...next.logs.map((l) => l.message));
      ({ afterId, more } = next);
    }
    assert.deepEqual({ tail, afterId }, { tail: ['checksum mismatch in part 150'], afterId: newest!.id });
  });
});

