/**
 * The worker's Temporal Runtime logger. Every record a flow or task writes (through `log`, Temporal's loggers,
 * or a task's console) carries its run and task in its metadata; those go to the log store through the
 * batching shipper. Everything is also echoed to the worker's own output from `echoLevel` up.
 */
import type { LogLevel as SdkLevel, LogMetadata, Logger } from '@temporalio/common';
import { LogTimestamp } from '@temporalio/worker';
import { ARTIFACT_KEY } from '../artifacts';
import { FIELDS_TEXT_KEY, fieldsText } from '../log-fields';
import { fromJsonText } from '../store/json-text';
import type { LogLevel, LogRecord } from '../store';

const LEVELS: Record<SdkLevel, LogLevel> = { TRACE: 'debug', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };
const SDK_LEVELS: Record<LogLevel, SdkLevel> = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' };
const SEVERITY: Record<SdkLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

/** Metadata keys Temporal adds; everything else a record carries is the writer's own fields. */
const TEMPORAL_KEYS = new Set([
  'sdkComponent', 'namespace', 'taskQueue', 'workflowId', 'runId', 'workflowRunId', 'workflowType', 'activityId',
  'activityType', 'attempt', 'isLocal', 'taskToken', 'activityRunId', 'updateId', 'updateName',
]);

export class RunLogRouter implements Logger {
  constructor(
    private readonly echo: Logger,
    private readonly echoLevel: SdkLevel,
    private readonly ship: (record: LogRecord) => void,
  ) {}

  log(level: SdkLevel, message: string, meta?: LogMetadata): void {
    const record = meta && toRecord(level, message, meta);
    if (record) this.ship(record);
    if (!record || SEVERITY[level] >= SEVERITY[this.echoLevel]) this.echo.log(level, message, meta);
  }

  /**
   * A run's log line that did not come through Temporal's logger (a task's `log` and console go straight
   * here: Temporal's logger chain costs several microseconds a line): stored, and echoed from echoLevel up.
   */
  write(record: LogRecord): void {
    this.ship(record);
    const level = SDK_LEVELS[record.level];
    if (SEVERITY[level] >= SEVERITY[this.echoLevel]) {
      const message = record.fieldsText && record.fieldsText !== '{}' ? `${record.message} ${record.fieldsText}` : record.message;
      this.echo.log(level, message, { workflowId: record.workflowId, activityType: record.task, attempt: record.attempt });
    }
  }

  trace(message: string, meta?: LogMetadata) { this.log('TRACE', message, meta); }
  debug(message: string, meta?: LogMetadata) { this.log('DEBUG', message, meta); }
  info(message: string, meta?: LogMetadata) { this.log('INFO', message, meta); }
  warn(message: string, meta?: LogMetadata) { this.log('WARN', message, meta); }
  error(message: string, meta?: LogMetadata) { this.log('ERROR', message, meta); }
}

/**
 * A log record of a run, or undefined for the worker's own messages. The SDK's lifecycle messages about a run
 * ("Activity failed", "Workflow failed") are kept from warn up: they record each failed attempt.
 */
export function toRecord(level: SdkLevel, message: string, meta: LogMetadata): LogRecord | undefined {
  const workflowId = meta.workflowId as string | undefined;
  const runId = (meta.runId ?? meta.workflowRunId) as string | undefined;
  if (!workflowId || !runId) return undefined;
  const component = meta.sdkComponent;
  if (component !== 'workflow' && component !== 'activity' && SEVERITY[level] < SEVERITY.WARN) return undefined;

  // A flow's fields arrive as text made when it logged (sdk/log); anything else the record carries is
  // serialised now, before the line is buffered.
  let fields: Record<string, unknown> | undefined;
  for (const key in meta) {
    if (TEMPORAL_KEYS.has(key) || key === FIELDS_TEXT_KEY || key === ARTIFACT_KEY) continue;
    (fields ??= {})[key] = plain(meta[key]);
  }
  const flowText = meta[FIELDS_TEXT_KEY];
  const text =
    typeof flowText === 'string'
      ? fields
        ? fieldsText({ ...objectOf(fromJsonText(flowText)), ...fields })
        : flowText
      : fieldsText(fields);
  const nanos = (meta as Record<symbol, unknown>)[LogTimestamp];
  const isTask = meta.activityType !== undefined;
  // A flow's `publish`: the artifact as JSON text made (and checked) when it published; the store checks it again.
  const artifactText = meta[ARTIFACT_KEY];
  const artifact = typeof artifactText === 'string' ? (fromJsonText(artifactText) as LogRecord['artifact']) : undefined;
  return {
    time: typeof nanos === 'bigint' ? Number(nanos / 1_000_000n) : Date.now(),
    level: LEVELS[level],
    message,
    fieldsText: text,
    workflowId,
    runId,
    flow: (meta.workflowType as string | undefined) ?? null,
    task: isTask ? (meta.activityType as string) : null,
    activityId: isTask ? ((meta.activityId as string | undefined) ?? null) : null,
    attempt: isTask ? ((meta.attempt as number | undefined) ?? null) : null,
    ...(artifact ? { artifact } : {}),
  };
}

const objectOf = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : { fields: v });

/** Errors keep their message, type and stack when stored as JSON. */
export function plain(value: unknown): unknown {
  if (value instanceof Error) return { type: value.name, message: value.message, stack: value.stack };
  return value;
}
