// Writing and reading log lines: the same test body on SQLite and on PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LogShipper, openStore, StoreQueryError, type LogRecord, type Store } from 'sluice/internal/store';
import { fieldsText } from '../../sdk/src/log-fields';
import { DIALECTS, freshStoreUrl, type FreshStoreUrl } from './helpers/stores';

const T0 = 1_700_000_000_123;

function line(runId: string, i: number, extra: Partial<LogRecord> = {}): LogRecord {
  return { time: T0 + i, level: 'info', message: `line ${i}`, workflowId: `wf-${runId}`, runId, flow: 'rainfall', ...extra };
}

for (const dialect of DIALECTS) {
  describe(`logs on ${dialect}`, () => {
    let fresh: FreshStoreUrl;
    let store: Store;
    before(async () => {
      fresh = await freshStoreUrl(dialect, 'logs');
      store = await openStore(fresh.url, { migrate: true });
      assert.equal(store.dialect, dialect);
    });
    after(async () => {
      await store?.close();
      await fresh?.cleanup();
    });

    test('lines come back as written, in order, with ids that grow', async () => {
      const written: LogRecord[] = [
        { time: T0, level: 'debug', message: 'start', workflowId: 'wf-a', runId: 'run-a', flow: 'rainfall' },
        { time: T0 + 1, level: 'info', message: 'downloaded', fields: { rows: 42, station: 'Bern', nested: { ok: true } },
          workflowId: 'wf-a', runId: 'run-a', flow: 'rainfall', task: 'download', activityId: '1', attempt: 2 },
        { time: T0 + 2, level: 'error', message: 'other run', workflowId: 'wf-b', runId: 'run-b' },
      ];
      await store.insertLogs(written);
      await store.insertLogs([]);
      const a = await store.readLogs({ runId: 'run-a' });
      assert.equal(a.length, 2);
      assert.ok(a[0].id < a[1].id);
      assert.deepEqual(a.map(({ id: _id, ...rest }) => rest), [
        { time: T0, level: 'debug', message: 'start', workflowId: 'wf-a', runId: 'run-a', flow: 'rainfall', task: null, activityId: null, attempt: null },
        { time: T0 + 1, level: 'info', message: 'downloaded', fields: { rows: 42, station: 'Bern', nested: { ok: true } },
          workflowId: 'wf-a', runId: 'run-a', flow: 'rainfall', task: 'download', activityId: '1', attempt: 2 },
      ]);
      assert.equal(typeof a[0].id, 'number');
      assert.equal(await store.countLogs('run-a'), 2);
      assert.equal(await store.countLogs('run-b'), 1);
      assert.equal(await store.countLogs('no-such-run'), 0);
    });

    test('minLevel, task and search filter one run', async () => {
      const runId = 'run-filter';
      await store.insertLogs([
        line(runId, 0, { level: 'debug', message: 'Connecting to FTP' }),
        line(runId, 1, { level: 'info', message: 'Downloaded RAINFALL series', task: 'download' }),
        line(runId, 2, { level: 'warn', message: 'slow response', task: 'download', fields: { host: 'ftp.MeteoSwiss.example' } }),
        line(runId, 3, { level: 'error', message: 'Überlauf at gauge 7', task: 'transform' }),
        line(runId, 4, { level: 'info', message: '100% done', task: 'transform' }),
        line(runId, 5, { level: 'info', message: '1000 rows', task: 'transform' }),
        line('run-other', 6, { level: 'error', message: 'rainfall elsewhere' }),
      ]);
      const messages = async (q: Omit<Parameters<Store['readLogs']>[0], 'runId'>) =>
        (await store.readLogs({ runId, ...q })).map((l) => l.message);

      assert.deepEqual(await messages({ minLevel: 'warn' }), ['slow response', 'Überlauf at gauge 7']);
      assert.deepEqual(await messages({ minLevel: 'debug' }), (await messages({})));
      assert.equal((await messages({})).length, 6);
      assert.deepEqual(await messages({ task: 'download' }), ['Downloaded RAINFALL series', 'slow response']);
      assert.deepEqual(await messages({ search: 'rainfall' }), ['Downloaded RAINFALL series']);
      assert.deepEqual(await messages({ search: 'meteoswiss' }), ['slow response'], 'search looks into fields too');
      assert.deepEqual(await messages({ search: 'überlauf' }), ['Überlauf at gauge 7'], 'case folding beyond ASCII');
      assert.deepEqual(await messages({ search: 'GAUGE 7' }), ['Überlauf at gauge 7']);
      // % and _ are plain characters, not wildcards.
      assert.deepEqual(await messages({ search: '0%' }), ['100% done']);
      assert.deepEqual(await messages({ search: '_' }), []);
      assert.deepEqual(await messages({ search: 'o', task: 'transform', minLevel: 'error' }), []);
      assert.deepEqual(await messages({ search: 'gauge', task: 'transform', minLevel: 'error' }), ['Überlauf at gauge 7']);
    });

    test("a search's %, _ and \\ are plain characters, also where PostgreSQL's trigram index narrows the search", async () => {
      const runId = 'run-search-chars';
      await store.insertLogs([
        line(runId, 0, { message: '100% done' }),
        line(runId, 1, { message: 'wrote file_042.csv' }),
        line(runId, 2, { message: 'wrote fileX042.csv' }),
        line(runId, 3, { message: 'read C:\\data\\rain.csv' }),
        line(runId, 4, { message: 'read C:/data/rain.csv', fields: { note: 'Wasserstand ÜBER Grenze' } }),
        // The two characters whose Unicode lowercase is ASCII: the index's ASCII-only lowering maps them itself.
        line(runId, 5, { message: 'kiln at 1200 \u212a, office in \u0130stanbul' }),
      ]);
      const messages = async (search: string, order: 'asc' | 'desc' = 'asc') => (await store.readLogs({ runId, search, order })).map((l) => l.message);
      assert.deepEqual(await messages('100%'), ['100% done']);
      assert.deepEqual(await messages('file_042'), ['wrote file_042.csv']);
      assert.deepEqual(await messages('ile_04'), ['wrote file_042.csv']);
      assert.deepEqual(await messages('c:\\data'), ['read C:\\data\\rain.csv']);
      assert.deepEqual(await messages('über grenze', 'desc'), ['read C:/data/rain.csv'], 'in the fields, folded beyond ASCII');
      assert.deepEqual(await messages('rain.csv', 'desc'), ['read C:/data/rain.csv', 'read C:\\data\\rain.csv'], 'newest first');
      assert.deepEqual(await messages('1200 k, office'), ['kiln at 1200 \u212a, office in \u0130stanbul'], 'the Kelvin sign folds to k');
      assert.deepEqual(await messages('office in i'), ['kiln at 1200 \u212a, office in \u0130stanbul'], 'İ folds to i (and a combining dot)');
      assert.deepEqual(await messages('done wrote'), [], 'not across two lines');
      assert.deepEqual(await messages('rain.csv {"note"'), [], 'nor across message and fields');
    });

    test('pages by id in both directions, default limit 500, capped at 5000', async () => {
      const runId = 'run-pages';
      // 5200 lines in one call: more than one INSERT on both databases, one transaction.
      await store.insertLogs(Array.from({ length: 5_200 }, (_, i) => line(runId, i)));
      assert.equal(await store.countLogs(runId), 5_200);

      const first = await store.readLogs({ runId });
      assert.equal(first.length, 500);
      assert.deepEqual(first.slice(0, 3).map((l) => l.message), ['line 0', 'line 1', 'line 2']);
      assert.equal((await store.readLogs({ runId, limit: 100_000 })).length, 5_000);

      const next = await store.readLogs({ runId, afterId: first.at(-1)!.id, limit: 3 });
      assert.deepEqual(next.map((l) => l.message), ['line 500', 'line 501', 'line 502']);

      const newest = await store.readLogs({ runId, order: 'desc', limit: 2 });
      assert.deepEqual(newest.map((l) => l.message), ['line 5199', 'line 5198']);
      const older = await store.readLogs({ runId, order: 'desc', beforeId: newest[1].id, limit: 2 });
      assert.deepEqual(older.map((l) => l.message), ['line 5197', 'line 5196']);

      const window = await store.readLogs({ runId, afterId: first[9].id, beforeId: first[13].id });
      assert.deepEqual(window.map((l) => l.message), ['line 10', 'line 11', 'line 12']);

      // Every line exactly once when walking all pages.
      const seen: string[] = [];
      for (let afterId: number | undefined; ; ) {
        const page = await store.readLogs({ runId, afterId, limit: 1_500 });
        if (page.length === 0) break;
        seen.push(...page.map((l) => l.message));
        afterId = page.at(-1)!.id;
      }
      assert.deepEqual(seen, Array.from({ length: 5_200 }, (_, i) => `line ${i}`));
    });

    test('odd input is stored, not refused: NUL characters, bigints, Errors, cycles', async () => {
      const runId = 'run-odd';
      const cycle: Record<string, unknown> = { name: 'loop' };
      cycle.self = cycle;
      await store.insertLogs([
        line(runId, 0, { message: 'nul\u0000here', fields: { big: 12345678901234567890n, err: new Error('disk full'), cycle, text: 'a\u0000b' } }),
      ]);
      const [stored] = await store.readLogs({ runId });
      assert.equal(stored.message, 'nul\uFFFDhere');
      const fields = stored.fields as { big: string; err: { message: string; name: string }; cycle: { self: string }; text: string };
      assert.equal(fields.big, '12345678901234567890');
      assert.equal(fields.err.message, 'disk full');
      assert.equal(fields.err.name, 'Error');
      assert.equal(fields.cycle.self, '[Circular]');
      assert.equal(fields.text, 'a\u0000b');
    });

    test('fields are stored as they were when the line was written, and cannot replace the run identity', async () => {
      const runId = 'run-fields';
      const counts = { rows: 1, nested: { rows: 1 }, runId: 'mine', attempt: 99 };
      const shipper = new LogShipper(store, { flushIntervalMs: 60_000 });
      // What the worker does when a task or flow logs: the fields become text at once.
      shipper.push({ ...line(runId, 0), task: 'download', attempt: 2, fieldsText: fieldsText(counts) });
      counts.rows = 2; // changed while the line waits in the buffer
      counts.nested.rows = 2;
      await shipper.close();
      const [stored] = await store.readLogs({ runId });
      assert.deepEqual(stored!.fields, { rows: 1, nested: { rows: 1 }, 'field.runId': 'mine', 'field.attempt': 99 });
      assert.equal(stored!.runId, runId);
      assert.equal(stored!.attempt, 2);
    });

    test('a query it cannot run is a readable error', async () => {
      await assert.rejects(store.readLogs({ runId: '' }), StoreQueryError);
      await assert.rejects(store.readLogs({ runId: 'x', limit: 0 }), /limit must be a whole number/);
      await assert.rejects(store.readLogs({ runId: 'x', minLevel: 'fatal' as never }), /minLevel 'fatal' is not a level/);
      await assert.rejects(store.readLogs({ runId: 'x', afterId: Number.NaN }), /afterId must be a log id/);
    });
  });
}
