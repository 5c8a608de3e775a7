/**
 * Lines a task prints with console.log/info/warn/error/debug are kept as that task's log lines, as Prefect's
 * `log_prints` does: scripts moved into tasks keep their prints. Outside a task, the console is unchanged.
 */
import { Context } from '@temporalio/activity';
import { format } from 'node:util';
import { TASK_LOGGER } from '../sdk/log';

type Method = 'log' | 'info' | 'warn' | 'error' | 'debug';
const LEVEL = { log: 'info', info: 'info', warn: 'warn', error: 'error', debug: 'debug' } as const;

function currentTaskLogger() {
  try {
    return Context.current().log;
  } catch {
    return undefined; // not inside a task
  }
}

let installed = false;

/** Routes `log` (sdk/log) and the console inside tasks to the task's logger. Idempotent. */
export function captureTaskOutput(): void {
  if (installed) return;
  installed = true;
  (globalThis as Record<symbol, unknown>)[TASK_LOGGER] = currentTaskLogger;
  for (const method of Object.keys(LEVEL) as Method[]) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      const logger = currentTaskLogger();
      if (logger) logger[LEVEL[method]](format(...args), { source: 'console' });
      else original(...args);
    };
  }
}
