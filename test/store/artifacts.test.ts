// Artifacts in the store (written with the log line that says so, in its transaction; checked again with the one
// artifact schema; read per run and latest per key of a flow; deleted by retention with the run's lines), on SQLite
// and PostgreSQL; and the schema's and the publisher's refusals, and the size bound, as a user meets them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStore, type LogRecord, type Store } from 'sluice/internal/store';
import { ArtifactError, publish } from 'sluice';
import { MAX_ARTIFACT_BYTES, parseArtifact } from 'sluice/internal/types';
import { DIALECTS, freshStoreUrl, type FreshStoreUrl } from './helpers/stores';

const line = (runId: string, time: number, artifact?: unknown, flow = 'rain'): LogRecord => ({
  time,
  level: 'info',
  message: artifact ? `published ${(artifact as { kind: string }).kind} '${(artifact as { key: string }).key}'` : 'plain',
  workflowId: `wf-${runId}`,
  runId,
  flow,
  ...(artifact ? { artifact: artifact as LogRecord['artifact'] } : {}),
});
const table = (key: string, title: string) => ({ kind: 'table', key, title, columns: ['day', 'mm'], rows: [['2025-12-01', 4.2]] });

for (const dialect of DIALECTS) {
  describe(`artifacts in the store on ${dialect}`, () => {
    let fresh: FreshStoreUrl;
    let store: Store;
    before(async () => {
      fresh = await freshStoreUrl(dialect, 'artifacts');
      store = await openStore(fresh.url, { migrate: true });
    });
    after(async () => {
      await store?.close();
      await fresh?.cleanup();
    });

    test('a line with an artifact writes both; the run reads them in order, after an id', async () => {
      await store.insertLogs([line('r1', 1, table('totals', 'Totals')), line('r1', 2), line('r1', 3, { kind: 'link', key: 'src', title: 'Source', url: 'https://example.org' })]);
      const artifacts = await store.readArtifacts('r1');
      assert.deepEqual(artifacts.map((a) => [a.kind, a.key, a.title, a.runId, a.workflowId, a.flow, a.task, a.time]), [
        ['table', 'totals', 'Totals', 'r1', 'wf-r1', 'rain', null, 1],
        ['link', 'src', 'Source', 'r1', 'wf-r1', 'rain', null, 3],
      ]);
      assert.deepEqual((artifacts[0] as { rows: unknown }).rows, [['2025-12-01', 4.2]]);
      assert.deepEqual((await store.readArtifacts('r1', { afterId: artifacts[0]!.id })).map((a) => a.key), ['src']);
      assert.deepEqual((await store.readLogs({ runId: 'r1' })).map((l) => l.message), ["published table 'totals'", 'plain', "published link 'src'"]);
      assert.equal((await store.getArtifact(artifacts[1]!.id))?.key, 'src');
    });

    test('an artifact the schema refuses is not stored; its line says why, as a warning, and the batch is kept', async () => {
      await store.insertLogs([line('r2', 1, { kind: 'link', key: 'bad', title: 'Bad', url: 'javascript:alert(1)' }), line('r2', 2)]);
      assert.deepEqual(await store.readArtifacts('r2'), []);
      const [warning, plain] = await store.readLogs({ runId: 'r2' });
      assert.equal(warning!.level, 'warn');
      assert.match(warning!.message, /^published link 'bad': not stored\. Cannot publish link 'bad': url must be an http:\/\/ or https:\/\/ address\.$/);
      assert.equal(plain!.message, 'plain');
    });

    test("the flow's latest artifact of each key, newest first", async () => {
      await store.insertLogs([line('r3', 10, table('totals', 'Old totals'), 'report'), line('r3', 11, table('other', 'Other'), 'report')]);
      await store.insertLogs([line('r4', 20, table('totals', 'New totals'), 'report'), line('r4', 21, table('x', 'Elsewhere'), 'another')]);
      assert.deepEqual((await store.latestArtifacts('report')).map((a) => [a.key, a.title, a.runId]), [['totals', 'New totals', 'r4'], ['other', 'Other', 'r3']]);
    });

    test("retention deletes a run's artifacts with its lines, and keeps those of a run Temporal still keeps", async () => {
      await store.insertLogs([line('old', 100, table('t', 'Gone')), line('kept', 100, table('t', 'Kept')), line('new', 10_000, table('t', 'New'))]);
      const { deleted } = await store.retention.sweep({ olderThan: 5_000, runsKept: async (ids) => new Set(ids.filter((id) => id === 'kept')), pauseMs: 0 });
      assert.ok(deleted.artifacts >= 1, JSON.stringify(deleted));
      assert.deepEqual(await store.readArtifacts('old'), []);
      assert.equal(await store.countLogs('old'), 0);
      assert.equal((await store.readArtifacts('kept')).length, 1);
      assert.equal((await store.readArtifacts('new')).length, 1);
    });
  });
}

describe('the artifact schema and publish', () => {
  test('bad input is refused, naming the artifact, the field and what is wrong', () => {
    const cases: [unknown, RegExp][] = [
      [{ ...table('Daily Totals', 'T') }, /^Cannot publish table 'Daily Totals': key must be lowercase letters, digits and single dashes/],
      [{ ...table('t', '  ') }, /table 't': title must not be empty/],
      [{ ...table('t', 'T'), rows: [['a', 1], ['b']] }, /table 't': rows\[1\] has 1 cells, but there are 2 columns/],
      [{ ...table('t', 'T'), rows: [['a', Number.NaN]] }, /table 't': rows\[0\]\[1\] must be text, a finite number, true, false or null/],
      [{ ...table('t', 'T'), rows: Array.from({ length: 10_001 }, () => ['a', 1]) }, /rows must be at most 10000 rows/],
      [{ kind: 'chart', key: 'c', title: 'C', chart: 'pie', x: [1], series: [{ name: 's', values: [1] }] }, /chart 'c': chart must be 'line' or 'bar'/],
      [{ kind: 'chart', key: 'c', title: 'C', chart: 'line', x: [1, 2], series: [{ name: 's', values: [1] }] }, /series\[0\]\.values has 1 values, but x has 2/],
      [{ kind: 'image', key: 'i', title: 'I', url: 'data:image/svg+xml;base64,PHN2Zz4=', alt: 'a' }, /url must be an http\(s\):\/\/ address or a base64 data:image/],
      [{ kind: 'image', key: 'i', title: 'I', url: 'https://example.org/a.png', alt: '' }, /alt must say what the image shows/],
      [{ kind: 'video', key: 'v', title: 'V' }, /kind must be one of table, markdown, link, image, chart/],
    ];
    for (const [input, message] of cases) {
      const parsed = parseArtifact(input);
      assert.equal(parsed.ok, false, JSON.stringify(input).slice(0, 80));
      assert.match((parsed as { error: string }).error, message);
    }
  });

  test('the size bound: past 1 MiB of JSON, publish throws before anything is shipped, saying how big it was', () => {
    const justUnder = 'x'.repeat(MAX_ARTIFACT_BYTES - 100);
    assert.equal(parseArtifact({ kind: 'markdown', key: 'm', title: 'M', markdown: justUnder }).ok, true);
    // Bytes, not characters: 400,000 three-byte characters are 1.2 MB.
    assert.throws(
      () => publish.markdown('notes', { title: 'Notes', markdown: '€'.repeat(400_000) }),
      (err: Error) => err instanceof ArtifactError && /^Cannot publish markdown 'notes': it is 12000\d\d bytes as JSON, more than the 1048576 bytes \(1 MiB\) an artifact may hold\. Publish a summary, or a link to the full data\.$/.test(err.message),
    );
  });

  test('a table takes rows as objects (columns from the first) and dates as ISO text; the published copy does not change with the caller', () => {
    const rows = [{ day: new Date(Date.UTC(2025, 11, 1)), mm: 4.2 }, { day: new Date(Date.UTC(2025, 11, 2)), mm: undefined as number | undefined }];
    const printed: string[] = [];
    const log = console.log;
    console.log = (m: string) => printed.push(m);
    let published;
    try {
      published = publish.table('daily', { title: 'Daily', rows });
    } finally {
      console.log = log;
    }
    // Outside a worker it is checked and printed, not stored.
    assert.deepEqual(printed, ["published table 'daily'"]);
    assert.deepEqual(published.columns, ['day', 'mm']);
    assert.deepEqual(published.rows, [['2025-12-01T00:00:00.000Z', 4.2], ['2025-12-02T00:00:00.000Z', null]]);
    rows[0]!.mm = 99;
    assert.equal(published.rows[0]![1], 4.2);
  });
});
