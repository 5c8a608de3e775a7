// How the run page draws a task's progress (web/lib/task-progress.ts): the bar's value and words, and which of
// two reports it keeps. Pure functions: the server's render and the live updates use the same ones.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { laterProgress, progressView } from '../../web/lib/task-progress';

test('the bar: value within 0..total, the message (or "done of total") and the whole percent done', () => {
  assert.deepEqual(progressView({ done: 12, total: 60, message: 'step 12 of 60' }), { value: 12, max: 60, percent: 20, text: 'step 12 of 60 · 20%' });
  assert.deepEqual(progressView({ done: 59, total: 60 }), { value: 59, max: 60, percent: 98, text: '59 of 60 · 98%' }, 'not 100% before it is done');
  assert.deepEqual(progressView({ done: 0.125, total: 1 }), { value: 0.125, max: 1, percent: 12, text: '0.13 of 1 · 12%' });
  assert.deepEqual(progressView({ done: 1500, total: 1200 }), { value: 1200, max: 1200, percent: 100, text: '1,500 of 1,200 · 100%' }, 'overshoot is a full bar');
  assert.deepEqual(progressView({ done: -3, total: 10 }), { value: 0, max: 10, percent: 0, text: '-3 of 10 · 0%' });
});

test('an unknown total (0, negative, not a number) is an indeterminate bar with the words alone', () => {
  assert.deepEqual(progressView({ done: 7, total: 0, message: 'reading rows' }), { value: undefined, max: 1, percent: null, text: 'reading rows' });
  assert.deepEqual(progressView({ done: 7, total: Number.NaN }), { value: undefined, max: 1, percent: null, text: '7 of NaN' });
});

test('of two reports the later one stays; one without a time loses to one with', () => {
  const at = (s: number, done: number) => ({ done, total: 10, reportedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString() });
  assert.equal(laterProgress(at(1, 3), at(2, 4))?.done, 4);
  assert.equal(laterProgress(at(2, 4), at(1, 3))?.done, 4, 'a poll answered late does not move the bar back');
  assert.equal(laterProgress({ done: 9, total: 10, reportedAt: null }, at(1, 3))?.done, 3);
  assert.equal(laterProgress(null, at(1, 3))?.done, 3);
  assert.equal(laterProgress(at(1, 3), undefined)?.done, 3);
  assert.equal(laterProgress(null, undefined), null);
});
