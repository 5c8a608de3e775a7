/**
 * The run logger: one `log` for flows and tasks. Every line is stored with its run, task and attempt
 * (the worker adds those) and shown on the run's page.
 *
 * @example
 * log.info('downloaded rainfall', { station, rows: series.length });
 *
 * Sandbox-safe: in a flow it writes through Temporal's replay-aware workflow logger; in a task through the
 * activity logger the worker registers (so this module never imports activity code into the sandbox);
 * anywhere else, to the console.
 */
import { inWorkflowContext, log as workflowLog } from '@temporalio/workflow';
import { FIELDS_TEXT_KEY, fieldsText } from './log-fields';

/**
 * Structured fields of a log line, kept with it and shown beside it on the run page.
 *
 * @example
 * const fields: LogFields = { station: 'DeBilt', rows: 288 };
 * log.info('downloaded', fields);
 */
export type LogFields = Record<string, unknown>;
/**
 * A logger with four levels; `fields` are kept with the line and shown beside it.
 *
 * @example
 * const logger: Logger = log;
 * logger.warn('station silent', { station: 'DeBilt', hours: 6 });
 */
export type Logger = Record<'debug' | 'info' | 'warn' | 'error', (message: string, fields?: LogFields) => void>;

/** Where the worker registers a function returning the current task's logger (undefined outside a task). */
export const TASK_LOGGER = Symbol.for('sluice.task.logger');

/**
 * Where the worker registers the function `progress()` hands a task's report to: it goes to the store with the
 * task's log lines (sdk/src/worker/task-output.ts). Unset outside a worker.
 */
export const TASK_PROGRESS = Symbol.for('sluice.task.progress');

/**
 * In a flow, the fields cross to the worker as JSON text made now (Temporal hands log calls to the worker
 * later, by reference) and under one key of their own (Temporal's logger merges a line's fields over the
 * run's identity).
 */
const flowLogger: Logger = {
  debug: (message, fields) => workflowLog.debug(message, flowMeta(fields)),
  info: (message, fields) => workflowLog.info(message, flowMeta(fields)),
  warn: (message, fields) => workflowLog.warn(message, flowMeta(fields)),
  error: (message, fields) => workflowLog.error(message, flowMeta(fields)),
};

export function flowMeta(fields: LogFields | undefined): LogFields | undefined {
  const text = fieldsText(fields);
  return text === undefined ? undefined : { [FIELDS_TEXT_KEY]: text };
}

function sink(): Logger {
  if (inWorkflowContext()) return flowLogger;
  const current = (globalThis as { [TASK_LOGGER]?: () => Logger | undefined })[TASK_LOGGER];
  return current?.() ?? console;
}

/**
 * The run logger, in flows and tasks alike: every line is stored with its run, task and attempt and shown on the
 * run's page (`console.log` in a flow or task is kept too).
 *
 * @example
 * log.info('downloaded rainfall', { station, rows: series.length });
 * log.warn('station silent', { station, hours: 6 });
 */
export const log: Logger = {
  debug: (message, fields) => sink().debug(message, fields),
  info: (message, fields) => sink().info(message, fields),
  warn: (message, fields) => sink().warn(message, fields),
  error: (message, fields) => sink().error(message, fields),
};
