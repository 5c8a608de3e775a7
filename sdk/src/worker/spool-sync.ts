/**
 * Where the worker waits for the log spool, so that Temporal never records as done what the spool could still
 * lose: a task's result (or failure) goes to the server only once the task's lines are appended and fsync'd, and
 * a flow's step completes only once the lines it logged are. Both waits share fsyncs with whatever else ends at
 * the same moment (./log-spool.ts).
 */
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { LoggerSinks } from '@temporalio/workflow';
import type { LogSpool } from './log-spool';

/** An activity inbound interceptor: after the task returns or throws, waits for its lines to be on disk. */
export function syncSpoolAfterTask(spool: Pick<LogSpool, 'sync'>): ActivityInterceptorsFactory {
  return () => ({
    inbound: {
      async execute(input, next) {
        try {
          return await next(input);
        } finally {
          await spool.sync();
        }
      },
    },
  });
}

/**
 * The flows' logger sink (Temporal's default one, which hands a flow's lines to the Runtime logger), waiting for
 * the spool before the flow's step completes: the worker awaits sink calls before it reports the step. Registered
 * under the SDK's older name `defaultWorkerLogger`, the one a worker may still replace.
 */
export function flowLoggerSinks(logger: Logger, spool: Pick<LogSpool, 'sync'>): InjectedSinks<LoggerSinks> {
  const at = (level: LogLevel) => ({
    fn(_info: unknown, message: string, attrs?: LogMetadata) {
      logger.log(level, message, { sdkComponent: 'workflow', ...attrs });
      return spool.sync();
    },
  });
  return { defaultWorkerLogger: { trace: at('TRACE'), debug: at('DEBUG'), info: at('INFO'), warn: at('WARN'), error: at('ERROR') } };
}
