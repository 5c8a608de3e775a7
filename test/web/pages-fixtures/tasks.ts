/** Tasks of the web pages' test flows (flows.ts): quick, chatty, flaky and waiting ones. */
import { Context } from '@temporalio/activity';
import { cancellationSignal, log, progress, task } from 'sluice';

const sleep = (ms: number) =>
  new Promise<void>((resolve, reject) => {
    const signal = cancellationSignal();
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => (clearTimeout(timer), reject(signal.reason));
    const timer = setTimeout(() => (signal.removeEventListener('abort', onAbort), resolve()), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** One step of the report: logs what it does, takes `ms`. */
export const pagesStep = task({ retries: 0 }, async function pagesStep(day: number, ms: number): Promise<number> {
  log.info(`processing day ${day}`, { day });
  await sleep(ms);
  return day * 10;
});

/** Fails twice, then succeeds: the timeline shows its retries and the failure before them. */
export const pagesFlakyStep = task({ retries: 3, retryDelay: '100ms', backoff: 1 }, async function pagesFlakyStep(): Promise<number> {
  const attempt = Context.current().info.attempt;
  if (attempt < 3) throw new Error(`gauge offline (attempt ${attempt})`);
  log.info('gauge back online', { attempt });
  return attempt;
});

/** Fails for good: the run fails with this readable message. */
export const pagesBrokenStep = task({ retries: 1, retryDelay: '100ms' }, async function pagesBrokenStep(): Promise<never> {
  throw new Error('the upstream file has no header row');
});

/** Waits up to `seconds`, a log line every 200 ms, until the run is cancelled. */
export const pagesWaitStep = task({ retries: 0, heartbeatTimeout: '5s', timeout: '10m' }, async function pagesWaitStep(seconds: number): Promise<string> {
  for (let i = 0; i < seconds * 5; i++) {
    progress(i, seconds * 5); // a heartbeat: how a cancellation reaches a running task
    if (i % 5 === 0) log.info(`still waiting, ${i / 5} s`, { tick: i });
    await sleep(200);
  }
  return 'waited';
});
