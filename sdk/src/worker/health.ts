/**
 * The worker's health report (`SLUICE_HEALTH_FILE`): the worker asks Temporal whether it lists this worker's
 * polls, and writes the answer to a file that the container's healthcheck (deploy/worker-healthcheck.cjs) only
 * reads. Asking from the healthcheck itself meant a new Node process loading the Temporal client every 30 s:
 * 0.6 s of CPU and 100 MB, per worker container, forever. The worker already holds a connection.
 * The Python worker writes the same report (python/src/sluice/health.py).
 *
 * @example
 * const reports = startHealthReports({ connection, namespace, taskQueue, identity, file, warn });
 * ...
 * reports.stop();
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Connection } from '@temporalio/client';
import contract from './health-contract.json';
import { TASK_QUEUE_TYPE_WORKFLOW } from '../temporal/enums';

/**
 * The health contract (health-contract.json, docs/health.md): the one place of its file, times and fields, read by
 * this worker, the Python worker and the containers' healthcheck alike.
 */
export const HEALTH_CONTRACT = contract;

/** A check every 15 s; every second until the first healthy one, so that a start is seen quickly. */
const HEALTH_INTERVAL_MS = contract.checkEverySeconds * 1000;
const STARTING_INTERVAL_MS = contract.checkEveryStartingSeconds * 1000;
/** Temporal lists a poller for minutes after its last poll; a live worker polls at least once a minute. */
const POLL_FRESH_MS = contract.pollFreshSeconds * 1000;
const CHECK_TIMEOUT_MS = contract.checkTimeoutSeconds * 1000;
/** Four missed checks: a worker too busy for one check is not yet unhealthy. */
export const REPORT_MAX_AGE_MS = contract.reportMaxAgeSeconds * 1000;
/** A report time with its zone (the contract's vector refuses one without: it would be read as local time). */
const ZONED_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/;

export interface HealthReport {
  ok: boolean;
  /** ISO time of the check. */
  checkedAt: string;
  taskQueue: string;
  identity: string;
  /** Why not, when not ok. */
  reason?: string;
}

/** A poller as DescribeTaskQueue lists it (the fields read here). */
interface Poller {
  identity?: string | null;
  lastAccessTime?: { seconds?: number | { toNumber(): number } | null } | null;
}

/** Whether Temporal's pollers of the queue include a recent poll by `identity` (this worker, exactly). */
export function healthOf(pollers: readonly Poller[], at: { taskQueue: string; identity: string; now: Date }): HealthReport {
  const polled = pollers.some(
    (p) => p.identity === at.identity && at.now.getTime() - Number(p.lastAccessTime?.seconds ?? 0) * 1000 < POLL_FRESH_MS,
  );
  const report: HealthReport = { ok: polled, checkedAt: at.now.toISOString(), taskQueue: at.taskQueue, identity: at.identity };
  if (!polled) report.reason = `Temporal lists no poll from this worker (${at.identity}) on task queue ${at.taskQueue} in the last ${POLL_FRESH_MS / 1000} s`;
  return report;
}

/** Replaces the file in one step (write beside it, then rename): the healthcheck never reads half a report. */
export function writeHealthReport(file: string, report: HealthReport): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, JSON.stringify(report) + '\n');
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export interface HealthReportsOptions {
  /** The worker's client connection; each call gets a deadline, so a hung Temporal ends a check as not ok. */
  connection: Pick<Connection, 'workflowService' | 'withDeadline'>;
  namespace: string;
  taskQueue: string;
  identity: string;
  file: string;
  warn(message: string): void;
}

/** Checks now and then on a timer until stop(); a failed check is a not-ok report, never an exception. */
export function startHealthReports(o: HealthReportsOptions): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let warned = false;
  let healthySeen = false;
  const check = async (): Promise<HealthReport> => {
    const worker = { taskQueue: o.taskQueue, identity: o.identity };
    try {
      const { pollers } = await o.connection.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () =>
        o.connection.workflowService.describeTaskQueue({ namespace: o.namespace, taskQueue: { name: o.taskQueue }, taskQueueType: TASK_QUEUE_TYPE_WORKFLOW }),
      );
      return healthOf(pollers ?? [], { ...worker, now: new Date() });
    } catch (err) {
      return { ok: false, checkedAt: new Date().toISOString(), ...worker, reason: `cannot ask Temporal about task queue ${o.taskQueue}: ${(err as Error).message}` };
    }
  };
  const tick = async () => {
    const report = await check();
    if (stopped) return;
    try {
      writeHealthReport(o.file, report);
    } catch (err) {
      if (!warned) o.warn(`cannot write the health report ${o.file}: ${(err as Error).message}`);
      warned = true;
    }
    healthySeen ||= report.ok;
    timer = setTimeout(tick, healthySeen ? HEALTH_INTERVAL_MS : STARTING_INTERVAL_MS).unref();
  };
  timer = setTimeout(tick, 0).unref();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/**
 * Why the report in `file` does not say healthy (absent, unreadable, not ok, or older than REPORT_MAX_AGE_MS:
 * the worker stopped checking in), or undefined when it does. What a container's healthcheck asks
 * (`sluice healthcheck`); it reads a file only, so it costs no Temporal connection.
 */
export function problemWithReport(file: string, now = new Date()): string | undefined {
  let report: Partial<HealthReport>;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return `no health report at ${file} yet (the worker writes one every ${HEALTH_INTERVAL_MS / 1000} s once it polls)`;
    return `${file} is not a health report: ${(err as Error).message}`;
  }
  const checkedAt = ZONED_TIME.test(String(report?.checkedAt)) ? Date.parse(String(report?.checkedAt)) : NaN;
  if (typeof report?.ok !== 'boolean' || Number.isNaN(checkedAt)) return `${file} is not a health report: it has no ok and checkedAt`;
  const age = Math.max(0, Math.round((now.getTime() - checkedAt) / 1000));
  if (age * 1000 > REPORT_MAX_AGE_MS) return `the last health report (${file}) is ${age} s old: the worker has stopped checking in`;
  if (!report.ok) return `${report.reason ?? 'not ok'} (${age} s ago)`;
  return undefined;
}
