/** Unit tests: times, durations, schedules in words, and the runs list's URL filters. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { elapsedMs, formatDuration, formatRelative, formatStartedBy, formatTime, timeLabel, upstreamOf, zoneName } from '../../web/lib/format';
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

test('relative times', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  assert.equal(formatRelative('2024-05-01T11:59:58Z', now), 'just now');
  assert.equal(formatRelative('2024-05-01T11:59:18Z', now), '42 s ago');
  assert.equal(formatRelative('2024-05-01T11:55:00Z', now), '5 min ago');
  assert.equal(formatRelative('2024-05-01T09:00:00Z', now), '3 h ago');
  assert.equal(formatRelative('2024-04-28T12:00:00Z', now), '3 d ago');
  assert.equal(formatRelative('2024-05-01T12:10:00Z', now), 'in 10 min');
  assert.equal(formatRelative('not a date', now), '—');
  // Far from now: words still, never a bare date without its zone.
  assert.equal(formatRelative('2024-01-01T12:00:00Z', now), '4 months ago');
  assert.equal(formatRelative('2021-05-01T12:00:00Z', now), '3 years ago');
  assert.equal(formatRelative(Date.parse('2024-05-01T12:00:42Z'), now), 'in 42 s');
  assert.equal(elapsedMs('2024-05-01T11:00:00Z', null, now), 3_600_000);
  assert.equal(elapsedMs('2024-05-01T11:00:00Z', '2024-05-01T11:00:30Z', now), 30_000);
});

test('every absolute time names its zone', () => {
  assert.equal(formatTime('2024-05-01T06:07:08Z'), '2024-05-01 06:07:08 UTC', 'UTC by default (what the server renders)');
  assert.equal(formatTime(Date.parse('2024-05-01T06:07:08Z'), 'Europe/Amsterdam'), '2024-05-01 08:07:08 CEST');
  assert.equal(formatTime(new Date('2024-12-07T05:00:00Z'), 'Europe/Amsterdam', { seconds: false }), '2024-12-07 06:00 CET');
  assert.equal(formatTime('2024-12-07T05:00:00Z', 'America/New_York'), '2024-12-07 00:00:00 EST');
  assert.equal(formatTime('2024-07-07T05:00:00Z', 'America/New_York'), '2024-07-07 01:00:00 EDT');
  assert.equal(formatTime('2024-12-07T05:00:00Z', 'Europe/London'), '2024-12-07 05:00:00 GMT');
  // No abbreviation in common use: the offset, as UTC±.
  assert.equal(formatTime('2024-12-07T05:00:00Z', 'Asia/Tokyo'), '2024-12-07 14:00:00 UTC+9');
  assert.equal(formatTime('2024-12-07T05:00:00Z', 'Asia/Kolkata'), '2024-12-07 10:30:00 UTC+5:30');
  assert.equal(formatTime('2024-12-07T05:00:00Z', 'America/Sao_Paulo'), '2024-12-07 02:00:00 UTC-3');
  // The day changes with the zone.
  assert.equal(formatTime('2024-12-07T02:00:00Z', 'America/Los_Angeles', { seconds: false }), '2024-12-06 18:00 PST');
  assert.equal(formatTime('2024-12-07T05:00:00Z', 'Mars/Olympus_Mons'), '2024-12-07 05:00:00 UTC', 'an unknown zone: UTC, and says so');
  assert.equal(formatTime(null), '—');
  assert.equal(formatTime('not a date', 'Europe/Amsterdam'), '—');
  assert.equal(formatTime('2024-12-07T05:00:30Z', 'UTC', { seconds: 'unless-zero' }), '2024-12-07 05:00:30 UTC');
  assert.equal(formatTime('2024-12-07T05:00:00Z', 'UTC', { seconds: 'unless-zero' }), '2024-12-07 05:00 UTC');
  assert.equal(formatTime(Date.parse('2024-12-07T05:00:01.042Z'), 'Europe/Amsterdam', { milliseconds: true, date: false, withZone: false }), '06:00:01.042');
});

test('summer time: the zone is named as it is at that instant, and its hour repeats are told apart', () => {
  // Amsterdam springs forward at 01:00 UTC on 2024-03-31: 02:00 CET becomes 03:00 CEST.
  assert.equal(formatTime('2024-03-31T00:59:00Z', 'Europe/Amsterdam', { seconds: false }), '2024-03-31 01:59 CET');
  assert.equal(formatTime('2024-03-31T01:00:00Z', 'Europe/Amsterdam', { seconds: false }), '2024-03-31 03:00 CEST');
  // And falls back at 01:00 UTC on 2024-10-27: 02:30 happens twice, once in each zone name.
  assert.equal(formatTime('2024-10-27T00:30:00Z', 'Europe/Amsterdam', { seconds: false }), '2024-10-27 02:30 CEST');
  assert.equal(formatTime('2024-10-27T01:30:00Z', 'Europe/Amsterdam', { seconds: false }), '2024-10-27 02:30 CET');
  assert.equal(zoneName('2024-01-15T12:00:00Z', 'Europe/London'), 'GMT');
  assert.equal(zoneName('2024-07-15T12:00:00Z', 'Europe/London'), 'BST');
  // A daily 06:00 Amsterdam schedule fires at 05:00 UTC in winter and 04:00 UTC in summer: both read 06:00.
  assert.equal(formatTime('2024-03-30T05:00:00Z', 'Europe/Amsterdam', { seconds: false }), '2024-03-30 06:00 CET');
  assert.equal(formatTime('2024-03-31T04:00:00Z', 'Europe/Amsterdam', { seconds: false }), '2024-03-31 06:00 CEST');
});

test("a time in a deployment's zone, and in the reader's when it reads differently", () => {
  const now = Date.parse('2024-12-06T09:00:00Z');
  const at = '2024-12-07T05:00:00Z';
  const deployment = { zone: 'Europe/Amsterdam', absolute: true, seconds: 'unless-zero' as const };
  assert.deepEqual(timeLabel(at, { ...deployment, reader: 'America/New_York', now }), {
    text: '2024-12-07 06:00 CET · in 20 h · 2024-12-07 00:00 EST your time',
    title: '2024-12-07 06:00:00 CET (Europe/Amsterdam) · 2024-12-07 00:00:00 EST (America/New_York) your time',
  });
  // A reader in another zone with the same clock (Berlin): nothing to add.
  assert.equal(timeLabel(at, { ...deployment, reader: 'Europe/Berlin', now }).text, '2024-12-07 06:00 CET · in 20 h');
  // Relative only (a table column): the absolute times are in the title.
  assert.deepEqual(timeLabel(at, { zone: 'Europe/Amsterdam', reader: 'Asia/Tokyo', now, seconds: 'unless-zero' }), {
    text: 'in 20 h',
    title: '2024-12-07 06:00:00 CET (Europe/Amsterdam) · 2024-12-07 14:00:00 UTC+9 (Asia/Tokyo) your time',
  });
  // The server knows neither the reader's zone nor their now: the absolute time alone, in UTC or the deployment's zone.
  assert.deepEqual(timeLabel(at, { reader: null, now: null }), { text: '2024-12-07 05:00:00 UTC', title: '2024-12-07 05:00:00 UTC' });
  assert.equal(timeLabel(at, { ...deployment, reader: null, now: null }).text, '2024-12-07 06:00 CET');
  // A run's start, in the reader's zone.
  assert.deepEqual(timeLabel('2024-12-06T08:59:18Z', { reader: 'Asia/Kolkata', now, absolute: true }), {
    text: '2024-12-06 14:29:18 UTC+5:30 · 42 s ago',
    title: '2024-12-06 14:29:18 UTC+5:30 (Asia/Kolkata)',
  });
});

test('who started a run, in words', () => {
  assert.equal(formatStartedBy('user:alice@example.org'), 'alice@example.org');
  assert.equal(formatStartedBy('token:etl-script'), 'API token “etl-script”');
  assert.equal(formatStartedBy('schedule:rainfall:daily'), 'deployment daily');
  assert.equal(formatStartedBy('flow:rainfall-1a2b.stationReport'), 'flow run rainfall-1a2b.stationReport');
  assert.equal(formatStartedBy(null), '—');
  assert.equal(formatStartedBy('trigger:after:importDaily:importDaily-20261201T0600-ab12cd'), 'trigger: after importDaily');
  assert.equal(upstreamOf('trigger:after:importDaily:importDaily-20261201T0600-ab12cd'), 'importDaily-20261201T0600-ab12cd');
  assert.equal(formatStartedBy('trigger:http:file-arrived'), 'trigger: HTTP call file-arrived');
  assert.equal(upstreamOf('trigger:http:file-arrived'), null);
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
