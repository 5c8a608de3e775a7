/**
 * What a task writes — through `log` and `publish` (sdk/task) or plain console.log/info/warn/error/debug, as Prefect's
 * `log_prints` keeps prints — becomes that task's log lines, tagged from the task's own context (run, task,
 * attempt). Outside a task, the console is unchanged.
 */
import { Context, type Info } from '@temporalio/activity';
import { format } from 'node:util';
import { TASK_LOGGER, TASK_PROGRESS, type LogFields } from '../log';
import type { LogLevel, LogRecord, ProgressRecord } from '../store';
import type { Progress } from '../task';
import { fieldsText } from '../log-fields';
import type { Artifact } from '../artifacts';

type Sink = Record<LogLevel, (message: string, fields?: LogFields) => void> & {
  /** `publish` in a task: an info line saying what was published, carrying it. */
  artifact: (message: string, artifact: Artifact) => void;
};
type Method = 'log' | 'info' | 'warn' | 'error' | 'debug';
const CONSOLE_LEVEL: Record<Method, LogLevel> = { log: 'info', info: 'info', warn: 'warn', error: 'error', debug: 'debug' };
const CONSOLE_FIELDS = { source: 'console' };

function currentTask(): Info | undefined {
  try {
    return Context.current().info;
  } catch {
    return undefined; // not inside a task
  }
}

function recordOf(info: Info, level: LogLevel, message: string, fields: LogFields | undefined): LogRecord {
  return {
    time: Date.now(),
    level,
    message,
    fieldsText: fieldsText(fields),
    workflowId: info.workflowExecution?.workflowId ?? '',
    runId: info.workflowExecution?.runId ?? '',
    flow: info.workflowType,
    task: info.activityType,
    activityId: info.activityId,
    attempt: info.attempt,
  };
}

function progressOf(info: Info, { done, total, message }: Progress): ProgressRecord {
  return {
    time: Date.now(),
    workflowId: info.workflowExecution?.workflowId ?? '',
    runId: info.workflowExecution?.runId ?? '',
    task: info.activityType,
    activityId: info.activityId,
    attempt: info.attempt,
    done,
    total,
    message: message ?? null,
  };
}

let installed = false;

/** Routes `log` and the console inside tasks to `write`, and `progress()` to `writeProgress`. Once per process. */
export function captureTaskOutput(write: (record: LogRecord) => void, writeProgress: (record: ProgressRecord) => void): void {
  if (installed) return;
  installed = true;
  (globalThis as Record<symbol, unknown>)[TASK_PROGRESS] = (info: Info, report: Progress) => writeProgress(progressOf(info, report));
  const sinks = new WeakMap<Info, Sink>();
  const sinkOf = (info: Info): Sink => {
    let sink = sinks.get(info);
    if (!sink) {
      const at = (level: LogLevel) => (message: string, fields?: LogFields) => write(recordOf(info, level, message, fields));
      const artifact = (message: string, published: Artifact) => write({ ...recordOf(info, 'info', message, undefined), artifact: published });
      sink = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), artifact };
      sinks.set(info, sink);
    }
    return sink;
  };
  (globalThis as Record<symbol, unknown>)[TASK_LOGGER] = () => {
    const info = currentTask();
    return info && sinkOf(info);
  };
  for (const method of Object.keys(CONSOLE_LEVEL) as Method[]) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      const info = currentTask();
      if (info) write(recordOf(info, CONSOLE_LEVEL[method], format(...args), CONSOLE_FIELDS));
      else original(...args);
    };
  }
}
