/** Unit tests: times, durations, schedules in words, and the runs list's URL filters. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { elapsedMs, formatAbsolute, formatDuration, formatRelative, formatStartedBy } from '../../web/lib/format';
import { cronToWords, describeSchedule, intervalToMs, intervalToWords } from '../../web/lib/schedule-words';
import { parseRunSearch, runsHref, withoutStatus } from '../../web/lib/run-filters';
import { pageParam, runFormHref, runHref } from '../../web/lib/links';

test('durations read naturally at every scale', () => {
  assert.equal(formatDuration(850), '850 ms');
  assert.equal(formatDuration(4_200), '4.2 s');
  assert.equal(formatDuration(12_340), '12 s');
  assert.equal(formatDuration(42_000), '42 s');
  assert.equal(formatDuration(245_000), '4 min 05 s');
  assert.equal(formatDuration(7_380_000), '2 h 03 min');
  assert.equal(formatDuration(3 * 86_400_000 + 3_600_000), '3 d 1 h');
  assert.equal(formatDuration(null), '—');
  assert.equal(formatDuration(-5), '—');
});

test('relative and absolute times', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  assert.equal(formatRelative('2024-05-01T11:59:58Z', now), 'just now');
  assert.equal(formatRelative('2024-05-01T11:59:18Z', now), '42 s ago');
  assert.equal(formatRelative('2024-05-01T11:55:00Z', now), '5 min ago');
  assert.equal(formatRelative('2024-05-01T09:00:00Z', now), '3 h ago');
  assert.equal(formatRelative('2024-04-28T12:00:00Z', now), '3 d ago');
  assert.equal(formatRelative('2024-05-01T12:10:00Z', now), 'in 10 min');
  assert.equal(formatRelative('not a date', now), '—');
  assert.equal(formatAbsolute('2024-05-01T06:07:08Z'), '2024-05-01 06:07:08');
  assert.equal(formatAbsolute('2024-05-01T06:07:08Z', 'Europe/Amsterdam'), '2024-05-01 08:07:08');
  assert.equal(elapsedMs('2024-05-01T11:00:00Z', null, now), 3_600_000);
  assert.equal(elapsedMs('2024-05-01T11:00:00Z', '2024-05-01T11:00:30Z', now), 30_000);
});

test('who started a run, in words', () => {
  assert.equal(formatStartedBy('user:alice@example.org'), 'alice@example.org');
  assert.equal(formatStartedBy('token:etl-script'), 'API token “etl-script”');
  assert.equal(formatStartedBy('schedule:rainfall:daily'), 'schedule daily');
  assert.equal(formatStartedBy(null), '—');
});

test('schedules in words', () => {
  assert.equal(cronToWords('0 6 * * *'), 'At 06:00');
  assert.equal(cronToWords('30 2 * * 1-5'), 'At 02:30, Monday through Friday');
  assert.equal(cronToWords('not cron'), 'cron “not cron”');
  assert.equal(intervalToMs('15 minutes'), 900_000);
  assert.equal(intervalToMs('1h30m'), 5_400_000);
  assert.equal(intervalToMs(60_000), 60_000);
  assert.equal(intervalToMs('soon'), undefined);
  assert.equal(intervalToWords('900s'), 'Every 15 minutes');
  assert.equal(intervalToWords('1d'), 'Every day');
  assert.equal(intervalToWords(5_400_000), 'Every 90 minutes');
  assert.equal(describeSchedule({ cron: ['0 6 * * 1-5'], interval: null, timezone: 'Europe/Amsterdam' }), 'At 06:00, Monday through Friday (Europe/Amsterdam)');
  assert.equal(describeSchedule({ cron: ['0 6 * * *'], interval: null, timezone: 'UTC' }), 'At 06:00 (UTC)');
  assert.equal(describeSchedule({ cron: [], interval: '1h', timezone: 'UTC' }), 'Every hour');
  assert.equal(describeSchedule({ cron: [], interval: null, timezone: 'UTC' }), 'Manual only (no schedule)');
});

test('runs filters are read from the URL, wrong values dropped with a notice', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  const { search, filter, page, notices } = parseRunSearch(
    { flow: 'rainfall', status: 'failed', range: '24h', pageSize: '50', pageToken: 'abc', page: '2', startedBy: 'user:a@b.c' },
    now,
  );
  assert.deepEqual(filter, { flow: 'rainfall', status: 'failed', startedBy: 'user:a@b.c', startedAfter: new Date('2024-04-30T12:00:00Z') });
  assert.deepEqual(page, { pageSize: 50, pageToken: 'abc' });
  assert.equal(search.page, 2);
  assert.deepEqual(notices, []);

  const bad = parseRunSearch({ status: 'exploded', pageSize: '7', range: 'custom', after: '2024-05-02', before: 'yesterday' }, now);
  assert.equal(bad.filter.status, undefined);
  assert.equal(bad.page.pageSize, 25);
  assert.equal(bad.filter.startedAfter?.toISOString(), '2024-05-02T00:00:00.000Z');
  assert.equal(bad.filter.startedBefore, undefined);
  assert.equal(bad.notices.length, 3);
  assert.match(bad.notices.join(' '), /status=“exploded”/);

  const custom = parseRunSearch({ range: 'custom', after: '2024-05-02', before: '2024-05-01' }, now);
  assert.equal(custom.filter.startedBefore?.toISOString(), '2024-05-01T23:59:59.999Z');
  assert.match(custom.notices[0], /after the “to” date/);
  assert.deepEqual(withoutStatus({ flow: 'a', status: 'failed' }), { flow: 'a' });
});

test('runs links keep the filters and restart paging when a filter changes', () => {
  const search = parseRunSearch({ flow: 'rainfall', pageToken: 'tok', page: '3' }).search;
  assert.equal(runsHref(search, { status: 'failed' }), '/runs?flow=rainfall&status=failed');
  assert.equal(runsHref(search, { pageToken: 'next', page: 4 }), '/runs?flow=rainfall&pageToken=next&page=4');
  assert.equal(runsHref({}, {}), '/runs');
  assert.equal(runsHref({ range: '24h', after: '2024-01-01' }), '/runs?range=24h');
});

test('dates without a range are a custom range', () => {
  const { search, filter } = parseRunSearch({ after: '2024-05-01' });
  assert.equal(search.range, 'custom');
  assert.equal(filter.startedAfter?.toISOString(), '2024-05-01T00:00:00.000Z');
});

test('page links encode ids, and page params are decoded back', () => {
  const ref = { workflowId: 'odd id: 50% rain/snow', runId: 'r1' };
  assert.equal(runHref(ref), '/runs/odd%20id%3A%2050%25%20rain%2Fsnow/r1');
  assert.equal(pageParam('odd%20id%3A%2050%25%20rain%2Fsnow'), ref.workflowId);
  assert.equal(pageParam('50% off'), '50% off', 'not valid percent-encoding: kept as it is');
  assert.equal(runFormHref('rain fall', { from: ref }), '/flows/rain%20fall/run?fromWorkflowId=odd+id%3A+50%25+rain%2Fsnow&fromRunId=r1');
});
