// The parts of notifications that need no server: message formats, secrets at rest, channels from the
// environment, rule checks, and the lease (on a real SQLite store).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildMessage, channelsFromEnv, releaseLease, ruleProblems, SecretBox, SecretKeyError, takeLease, webhookBody, type EventDetail } from 'sluice/internal/notify';
import { openStore } from 'sluice/internal/store';
import { sqliteStoreUrl } from '../harness/sluice';

const failure = (n: number): EventDetail => ({
  event: 'failed',
  flow: 'rainfall',
  deployment: 'daily',
  workflowId: `rainfall.daily-${n}`,
  runId: `run-${n}`,
  startedBy: 'schedule:rainfall:daily',
  error: 'Unknown station <X>',
  task: 'download',
  logTail: ['2024-05-01T06:00:01.000Z warn no rows'],
  startTime: '2024-05-01T06:00:00.000Z',
  closeTime: '2024-05-01T06:00:02.000Z',
  url: `https://sluice.example.org/runs/rainfall.daily-${n}/run-${n}`,
  note: null,
});

describe('messages', () => {
  it('one failure: the subject names the flow, deployment and error; the text has the starter, logs and link', () => {
    const m = buildMessage([failure(1)]);
    assert.equal(m.subject, 'Sluice: rainfall · daily failed: Unknown station <X>');
    for (const text of ['Started by: schedule:rainfall:daily', 'Error in task download: Unknown station <X>', 'warn no rows', 'Open: https://sluice.example.org/runs/rainfall.daily-1/run-1']) {
      assert.ok(m.text.includes(text), text);
    }
  });

  it('the subject stays on one line when the error has several', () => {
    assert.equal(buildMessage([{ ...failure(1), error: 'Bad row\n  at line 3\r\n' }]).subject, 'Sluice: rainfall · daily failed: Bad row at line 3');
  });

  it('a burst is one message that lists twenty runs and counts the rest', () => {
    const m = buildMessage(Array.from({ length: 50 }, (_, i) => failure(i)));
    assert.equal(m.subject, 'Sluice: 50 runs of rainfall failed');
    assert.match(m.text, /and 30 more/);
    assert.equal((webhookBody('webhook', m, { id: 7, rule: 'r', channel: 'c' }) as { events: unknown[] }).events.length, 50);
  });

  it('Slack, Mattermost and Teams get their incoming-webhook shapes', () => {
    const m = buildMessage([failure(1)]);
    const slack = webhookBody('slack', m, { id: 1, rule: 'r', channel: 'c' }) as { text: string };
    assert.match(slack.text, /<https:\/\/sluice\.example\.org\/runs\/rainfall\.daily-1\/run-1\|rainfall · daily failed>/);
    assert.match(slack.text, /Unknown station &lt;X&gt;/, 'Slack needs <, > and & escaped');
    const mattermost = webhookBody('mattermost', m, { id: 1, rule: 'r', channel: 'c' }) as { text: string };
    assert.match(mattermost.text, /\[rainfall · daily failed\]\(https:\/\/sluice\.example\.org\/runs\/rainfall\.daily-1\/run-1\)/);
    const teams = webhookBody('teams', m, { id: 1, rule: 'r', channel: 'c' }) as { attachments: { contentType: string; content: { type: string; body: { text: string }[] } }[] };
    assert.equal(teams.attachments[0]!.contentType, 'application/vnd.microsoft.card.adaptive');
    assert.equal(teams.attachments[0]!.content.type, 'AdaptiveCard');
    assert.equal(teams.attachments[0]!.content.body[0]!.text, m.subject);
  });
});

describe('secrets and channels', () => {
  it('seals and opens with the same key, refuses another key and short keys', () => {
    const box = new SecretBox('x'.repeat(32));
    const sealed = box.seal('https://hooks.slack.com/services/T/B/SECRET');
    assert.ok(!sealed.includes('SECRET'));
    assert.notEqual(box.seal('same'), box.seal('same'), 'a fresh IV each time');
    assert.equal(box.open(sealed), 'https://hooks.slack.com/services/T/B/SECRET');
    assert.throws(() => new SecretBox('y'.repeat(32)).open(sealed), SecretKeyError);
    assert.throws(() => new SecretBox('short'), /at least 32 characters/);
  });

  it('reads channels from SLUICE_CHANNEL_<NAME>, with their secret; says what is wrong', () => {
    const channels = channelsFromEnv({
      SLUICE_CHANNEL_DATA_TEAM: 'slack:https://hooks.slack.com/services/T/B/C',
      SLUICE_CHANNEL_AUDIT: 'webhook:https://audit.example.org/hook',
      SLUICE_CHANNEL_AUDIT_SECRET: 's3cret',
      SLUICE_CHANNEL_OPS: 'email:ops@example.org, oncall@example.org',
    });
    assert.deepEqual(channels.map((c) => [c.name, c.kind, c.secret ?? null]), [
      ['data-team', 'slack', null],
      ['audit', 'webhook', 's3cret'],
      ['ops', 'email', null],
    ]);
    assert.throws(() => channelsFromEnv({ SLUICE_CHANNEL_X: 'pager:https://x' }), /SLUICE_CHANNEL_X: channel x: kind "pager" is not one of/);
    assert.throws(() => channelsFromEnv({ SLUICE_CHANNEL_X: 'email:not-an-address' }), /give e-mail addresses/);
    assert.throws(() => channelsFromEnv({ SLUICE_CHANNEL_X: 'https://x' }), /SLUICE_CHANNEL_X/);
  });
});

describe('rules', () => {
  it('checks what a rule declares', () => {
    assert.deepEqual(ruleProblems('flow f', { channels: ['ops'] }), []);
    assert.match(ruleProblems('flow f', { channels: [] }).join(), /name at least one channel/);
    assert.match(ruleProblems('flow f', { channels: ['ops'], on: ['exploded' as never] }).join(), /unknown event "exploded"/);
    assert.match(ruleProblems('flow f', { channels: ['ops'], on: ['long_running'] }).join(), /needs longerThan/);
    assert.match(ruleProblems('flow f', { channels: ['ops'], lateAfter: 'soonish' }).join(), /invalid lateAfter "soonish"/);
  });
});

describe('the lease', () => {
  it('one holder at a time; released or expired, another takes it', async () => {
    const store = await openStore(sqliteStoreUrl('lease'), { migrate: true });
    try {
      assert.equal(await takeLease(store.db, 'a', 1_000, 10_000), true);
      assert.equal(await takeLease(store.db, 'b', 1_000, 10_500), false, 'held by a');
      assert.equal(await takeLease(store.db, 'a', 1_000, 10_600), true, 'a renews');
      assert.equal(await takeLease(store.db, 'b', 1_000, 11_700), true, 'expired: b takes it');
      await releaseLease(store.db, 'b');
      assert.equal(await takeLease(store.db, 'a', 1_000, 11_800), true, 'released: a takes it at once');
    } finally {
      await store.close();
    }
  });
});
