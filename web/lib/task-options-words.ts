/**
 * A task's declared options (retries, delays, timeouts, non-retryable errors) in words, for the tasks that
 * workers in other languages publish to the task catalog: durations there are milliseconds, as in TaskOptions.
 *
 * @example describeTaskOptions({ retries: 2, retryDelay: 1000, backoff: 2, maxRetryDelay: 60000, timeout: 600000 })
 * // ['2 retries, the first after 1 second, each next one 2× later, at most 1 minute apart', 'timeout 10 minutes per attempt']
 */
import { durationToWords } from './schedule-words';

type Duration = string | number;

const isDuration = (v: unknown): v is Duration => typeof v === 'number' || (typeof v === 'string' && v.trim() !== '');

/** One phrase per option group; an option the worker did not publish is left out rather than guessed. */
export function describeTaskOptions(options: Record<string, unknown>): string[] {
  const words: string[] = [];
  const { retries, retryDelay, backoff, maxRetryDelay, timeout, heartbeatTimeout, nonRetryableErrors } = options;
  if (retries === 0) words.push('no retries');
  else if (typeof retries === 'number') {
    let phrase = `${retries} ${retries === 1 ? 'retry' : 'retries'}`;
    if (isDuration(retryDelay)) phrase += `, the first after ${durationToWords(retryDelay)}`;
    if (retries > 1 && typeof backoff === 'number' && backoff !== 1) phrase += `, each next one ${backoff}× later`;
    if (retries > 1 && isDuration(maxRetryDelay)) phrase += `, at most ${durationToWords(maxRetryDelay)} apart`;
    words.push(phrase);
  }
  if (isDuration(timeout)) words.push(`timeout ${durationToWords(timeout)} per attempt`);
  if (isDuration(heartbeatTimeout)) words.push(`heartbeat at least every ${durationToWords(heartbeatTimeout)}`);
  if (Array.isArray(nonRetryableErrors) && nonRetryableErrors.length > 0) words.push(`not retried on ${nonRetryableErrors.join(', ')}`);
  return words;
}
