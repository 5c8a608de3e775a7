// The outbox under a burst, against real stores (SQLite and PostgreSQL): tens of thousands of events are
// recorded, looked up and grouped with a bounded number of parameters per statement, and two processes grouping
// at once put each event in one message and make no empty one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Store } from 'sluice/internal/store';
import type { EventDetail } from 'sluice/internal/notify';
import { groupEvents, knownEvents, recordEvents, type NewEvent } from '../../sdk/src/notify/outbox';
import { DIALECTS, freshStorePair, type StorePair } from '../store/helpers/stores';

/** More runs than SQLite takes parameters in one statement (32,766): one `IN (…)` per run would fail. */
const MANY = 40_000;

const detail = (runId: string): EventDetail => ({
  event: 'failed', flow: 'gaugeFlow', deployment: null, workflowId: `wf-${runId}`, runId, startedBy: null,
  error: 'gauge file is truncated', task: null, logTail: [], startTime: null, closeTime: null, url: null, note: null,
});
const events = (ruleKey: string, channel: string, n: number, prefix = ruleKey): NewEvent[] =>
  Array.from({ length: n }, (_, i) => ({ ruleKey, channel, runKey: `${prefix}-${i}`, detail: detail(`${prefix}-${i}`) }));
const subjectOf = (details: EventDetail[]) => `${details.length} runs`;

for (const dialect of DIALECTS) {
  describe(`the outbox under a burst (${dialect})`, () => {
    let pair: StorePair;
    let store: Store;
    /** Another process's connection to the same store. */
    let other: Store;
    before(async () => {
      pair = await freshStorePair(dialect, 'outbox_burst');
      ({ store, other } = pair);
    });
    after(() => pair?.close());

    it(`records, looks up and groups ${MANY} events of one rule and channel into one message`, async () => {
      const burst = events('burst', 'hooks', MANY);
      assert.equal(await recordEvents(store.db, burst), MANY);
      assert.equal(await recordEvents(store.db, burst.slice(0, 500)), 0, 'an event is recorded once');
      const known = await knownEvents(store.db, burst.map((e) => e.runKey));
      assert.equal(known.size, MANY);
      const ids = await groupEvents(store.db, subjectOf);
      assert.equal(ids.length, 1);
      const delivery = await store.db.selectFrom('notification_deliveries').selectAll().where('id', '=', ids[0]!).executeTakeFirstOrThrow();
      assert.equal(Number(delivery.event_count), MANY);
      assert.equal(delivery.subject, `${MANY} runs`);
    });

    it('two processes grouping at once: each event in exactly one message, one message per rule and channel, none empty', async () => {
      const groups = [['r1', 'hooks'], ['r1', 'mailto:ops@example.org'], ['r2', 'hooks']] as const;
      for (const [rule, channel] of groups) await recordEvents(store.db, events(rule, channel, 2_000, `race-${rule}`));
      const [a, b] = await Promise.all([groupEvents(store.db, subjectOf), groupEvents(other.db, subjectOf)]);
      assert.equal(a.length + b.length, groups.length, `one message per rule and channel, got ${a.length} + ${b.length}`);
      const deliveries = await store.db
        .selectFrom('notification_deliveries')
        .select(['id', 'rule_key', 'channel', 'event_count', 'subject'])
        .where('id', 'in', [...a, ...b])
        .execute();
      for (const d of deliveries) {
        const held = await store.db.selectFrom('notification_events').select((eb) => eb.fn.countAll().as('n')).where('delivery_id', '=', d.id).executeTakeFirstOrThrow();
        assert.equal(Number(held.n), 2_000, `${d.rule_key}/${d.channel} holds its 2,000 events`);
        assert.equal(Number(d.event_count), 2_000);
        assert.equal(d.subject, '2000 runs');
      }
      const all = await store.db.selectFrom('notification_deliveries').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(all.n), 1 + groups.length, 'no other delivery, empty or not, was left behind');
      const ungrouped = await store.db.selectFrom('notification_events').select((eb) => eb.fn.countAll().as('n')).where('delivery_id', 'is', null).executeTakeFirstOrThrow();
      assert.equal(Number(ungrouped.n), 0);
    });

    it('a group waits until it has been quiet for the window, but not longer than the longest wait', async () => {
      const t0 = Date.now();
      await recordEvents(store.db, events('quiet', 'hooks', 3), t0);
      await recordEvents(store.db, events('quiet', 'hooks', 2, 'quiet-later'), t0 + 8_000);
      assert.deepEqual(await groupEvents(store.db, subjectOf, t0 + 12_000, 10_000), [], 'the last event is 4 s old: the burst may go on');
      assert.equal((await groupEvents(store.db, subjectOf, t0 + 18_000, 10_000)).length, 1, 'quiet for 10 s: one message of 5');
      await recordEvents(store.db, events('trickle', 'hooks', 1), t0);
      await recordEvents(store.db, events('trickle', 'hooks', 1, 'trickle-later'), t0 + 55_000);
      assert.deepEqual(await groupEvents(store.db, subjectOf, t0 + 59_000, 10_000, 60_000), []);
      assert.equal((await groupEvents(store.db, subjectOf, t0 + 60_000, 10_000, 60_000)).length, 1, 'a steady trickle goes out after the longest wait');
    });
  });
}
