/**
 * The worker's buffer between the run logger and the store. `push` only puts a record in memory; a drain
 * loop writes batches in order. While the store is down, records wait (bounded by `capacity`) and the
 * same batch is retried with capped backoff. The buffer is bounded by lines (`capacity`) and by size
 * (`capacityBytes`: a few huge lines must not exhaust the worker's memory). When it is full the OLDEST lines are dropped — in a
 * post-mortem the recent ones matter most — and each affected run later gets one warning line saying so.
 *
 * Tasks' progress travels with the lines: `progress` keeps only the latest report of each task of a run (a tight
 * loop of `progress()` calls costs a map entry, never a line of the buffer), and each batch carries what was
 * reported since the last one, written in the same transaction.
 */
import type { LogRecord, ProgressRecord } from './types';

/** Where the shipper writes; a `Store` is one. */
export interface LogSink {
  /** Writes lines and the latest progress of some tasks, in one transaction (either may be empty). */
  insertLogs(records: LogRecord[], progress?: ProgressRecord[]): Promise<void>;
}

export interface LogShipperOptions {
  /** Most records kept in memory, counting the batch being written (default 100_000). */
  capacity?: number;
  /**
   * Most bytes kept in memory, counting the batch being written (default 256 MiB, room for 100,000 lines of
   * over 2 KiB): a line counts its message and its fields' JSON text (two bytes a character, as JavaScript
   * holds them; fields not yet serialised count as 128 characters) plus 200 for the rest.
   */
  capacityBytes?: number;
  /** How long a record may wait for a batch to fill before it is written anyway (ms, default 200). */
  flushIntervalMs?: number;
  /** Most records per write (default 5000). */
  batchSize?: number;
  /** Longest wait between two attempts while the store fails (ms, default 5000); the first wait is 100 ms. */
  retryMaxMs?: number;
  /** Told, once per outage, that the store fails, that lines are dropped, and that it recovered (default console.warn). */
  warn?: (message: string) => void;
  /** Where lines wait during an outage, for that message (default: "up to `capacity` log lines in memory"). */
  keptIn?: string;
}

export interface LogShipperStats {
  /** Records written to the store (not counting the shipper's own "lines were dropped" warnings). */
  written: number;
  /** Records dropped: pushed out of a full buffer, pushed after close() was called, or not records at all. */
  dropped: number;
  /** Records in memory, not yet written. */
  pending: number;
  /** True from a failed write until the next successful one. */
  failing: boolean;
}

/** How many lines of one run were dropped, and why. */
export interface RunDrops {
  count: number;
  workflowId: string;
  flow: string | null;
  /** Whether any of these lines were dropped while the store was failing (else: it was too slow). */
  whileFailing: boolean;
}

const FIRST_RETRY_MS = 100;
const LINE_OVERHEAD_BYTES = 200;

/** An artifact's JSON text length, measured once (a record's size is asked for again when it is written or dropped). */
const artifactLengths = new WeakMap<object, number>();
function artifactLength(artifact: object): number {
  let length = artifactLengths.get(artifact);
  if (length === undefined) artifactLengths.set(artifact, (length = JSON.stringify(artifact)?.length ?? 0));
  return length;
}

/** A record's size as the byte bound counts it (the strings it holds, its artifact's JSON text; the rest is a fixed overhead). */
function sizeOf(record: LogRecord): number {
  const text = (v: unknown) => (typeof v === 'string' ? v.length : 0);
  const fields = record.fieldsText !== undefined ? text(record.fieldsText) : record.fields ? 128 : 0;
  const artifact = typeof record.artifact === 'object' && record.artifact !== null ? artifactLength(record.artifact) : 0;
  return 2 * (text(record.message) + fields + artifact + text(record.workflowId) + text(record.runId)) + LINE_OVERHEAD_BYTES;
}

/**
 * @example
 * const shipper = new LogShipper(store, { warn: (m) => console.warn(m) });
 * shipper.push({ time: Date.now(), level: 'info', message: 'hello', workflowId, runId });
 * // at shutdown:
 * const { dropped, pending } = await shipper.close(10_000);
 */
export class LogShipper {
  readonly #sink: LogSink;
  readonly #capacity: number;
  readonly #capacityBytes: number;
  readonly #flushIntervalMs: number;
  readonly #batchSize: number;
  readonly #retryMaxMs: number;
  readonly #warn: (message: string) => void;
  readonly #keptIn: string;

  // Records waiting, oldest at #head (a ring, so push and drop are O(1) with no array shifting).
  readonly #ring: (LogRecord | undefined)[];
  #head = 0;
  #count = 0;
  /** Bytes of the records not yet written nor dropped (ring, and the batch less its doomed lines). */
  #bytes = 0;
  #fullOfBytes = false;

  // The oldest records, taken from the ring to be written: kept until written, so a failed write is retried
  // with exactly these lines, in order. #doomed counts how many of its oldest lines were dropped while the
  // write was in flight: if the write fails they are gone, if it succeeds they were written after all.
  #batch: LogRecord[] | null = null;
  #batchStart = 0;
  #inFlight = false;
  #doomed = 0;

  #pushed = 0;
  #settled = 0; // pushed records written or dropped: flush() waits on this
  #written = 0;
  #dropped = 0;
  #dropsByRun = new Map<string, RunDrops>();
  #failing = false;
  #failingSince = 0;
  #warnedFailing = false;
  #warnedDropping = false;
  #warnedClosed = false;
  #retryMs = FIRST_RETRY_MS;

  // The latest progress of each task of a run, reported since the last write took them (by run and activity
  // id). #progressSeq counts reports; #progressSettled is the count up to which every report is written.
  #progress = new Map<string, ProgressRecord>();
  #progressSeq = 0;
  #progressSettled = 0;

  #timer: NodeJS.Timeout | null = null;
  /** The pending timer fires at once (a full batch waits), so further pushes need not reschedule it. */
  #timerImmediate = false;
  #draining: Promise<void> | null = null;
  #wakeRetry: (() => void) | null = null;
  #waiters: { target: number; progressTarget: number; resolve: () => void }[] = [];
  #closing: Promise<{ written: number; dropped: number; pending: number }> | null = null;
  #stopped = false;

  constructor(sink: LogSink, opts: LogShipperOptions = {}) {
    this.#sink = sink;
    this.#capacity = positiveInteger('capacity', opts.capacity ?? 100_000);
    this.#capacityBytes = positiveInteger('capacityBytes', opts.capacityBytes ?? 256 * 1024 * 1024);
    this.#flushIntervalMs = Math.max(0, opts.flushIntervalMs ?? 200);
    this.#batchSize = positiveInteger('batchSize', opts.batchSize ?? 5_000);
    this.#retryMaxMs = Math.max(FIRST_RETRY_MS, opts.retryMaxMs ?? 5_000);
    this.#warn = opts.warn ?? ((message) => console.warn(message));
    this.#keptIn = opts.keptIn ?? `up to ${this.#capacity} log lines in memory`;
    this.#ring = new Array(this.#capacity);
  }

  /** Queues one record. Never throws, never waits, does no I/O. */
  push(record: LogRecord): void {
    try {
      if (this.#closing) return this.#dropAfterClose(record);
      // Not a record: dropping it here keeps it from failing every batch it would be written with.
      if (typeof record !== 'object' || record === null) {
        this.#dropped++;
        return;
      }
      if (this.#pending() >= this.#capacity) this.#dropOldest();
      const size = sizeOf(record);
      // A line bigger than the whole bound is still kept, alone: dropping it would lose it and all before it.
      this.#fullOfBytes = true;
      while (this.#bytes + size > this.#capacityBytes && this.#pending() > 0) this.#dropOldest();
      this.#fullOfBytes = false;
      this.#bytes += size;
      this.#ring[(this.#head + this.#count) % this.#capacity] = record;
      this.#count++;
      this.#pushed++;
      if (this.#draining) return; // the drain loop takes it on its next turn
      if (this.#count >= this.#batchSize) {
        if (!this.#timerImmediate) this.#schedule(0);
      }
      else if (!this.#timer) this.#schedule(this.#flushIntervalMs);
    } catch {
      // A logger must not break the code that logs; the record is lost, which stats cannot miss.
    }
  }

  /**
   * Keeps a task's latest progress to be written with the next batch, replacing what the same task of the run
   * reported since the last batch. Never throws, never waits, does no I/O.
   */
  progress(record: ProgressRecord): void {
    try {
      if (this.#closing || typeof record !== 'object' || record === null) return;
      const key = `${record.runId}\u0000${record.activityId}`;
      this.#progress.set(key, record);
      this.#progressSeq++;
      if (!this.#draining && !this.#timer) this.#schedule(this.#flushIntervalMs);
    } catch {
      // As push: reporting progress must not break the task.
    }
  }

  /**
   * Resolves once every record pushed (and every progress reported) before the call is written or dropped.
   * While the store is down that waits for it to come back — bound the wait with `close(timeoutMs)`.
   */
  flush(): Promise<void> {
    const target = this.#pushed;
    const progressTarget = this.#progressSeq;
    if ((this.#settled >= target && this.#progressSettled >= progressTarget) || this.#stopped) return Promise.resolve();
    this.#startDrain();
    return new Promise((resolve) => this.#waiters.push({ target, progressTarget, resolve }));
  }

  /**
   * Writes what is buffered within `timeoutMs` (default 10 s), then stops; records pushed once close() is
   * called are dropped (and counted). Returns the final counts; `pending` is what could not be written in
   * time. It does not close the sink.
   */
  close(timeoutMs = 10_000): Promise<{ written: number; dropped: number; pending: number }> {
    this.#closing ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([this.flush(), timedOut]);
      clearTimeout(timer);
      this.#stop();
      return { written: this.#written, dropped: this.#dropped, pending: this.#pending() };
    })();
    return this.#closing;
  }

  get stats(): LogShipperStats {
    return { written: this.#written, dropped: this.#dropped, pending: this.#pending(), failing: this.#failing };
  }

  /** The size of the records in memory, as `capacityBytes` counts it. */
  get pendingBytes(): number {
    return this.#bytes;
  }

  #pending(): number {
    const batchLeft = this.#batch ? this.#batch.length - this.#batchStart - this.#doomed : 0;
    return this.#count + batchLeft;
  }

  #schedule(delayMs: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerImmediate = delayMs === 0;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#timerImmediate = false;
      this.#startDrain();
    }, delayMs);
    // A pending flush timer alone should not keep a process alive; close() is how to write the last lines.
    this.#timer.unref();
  }

  #startDrain(): void {
    if (this.#draining || this.#stopped) return;
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
      this.#timerImmediate = false;
    }
    this.#draining = this.#drain().finally(() => {
      this.#draining = null;
      if ((this.#count === 0 && this.#progress.size === 0) || this.#stopped) return;
      // Records came in as the drain ended: go on at once when a flush() waits for them or a batch is full
      // (else that flush would wait a whole interval); otherwise let them gather for the interval.
      if (this.#waiters.length > 0 || this.#count >= this.#batchSize) this.#startDrain();
      else this.#schedule(this.#flushIntervalMs);
    });
  }

  async #drain(): Promise<void> {
    while (!this.#stopped) {
      if (!this.#batch && this.#dropsByRun.size > 0 && !this.#failing && !this.#inFlight) {
        if (!(await this.#writeDropNotices())) {
          await this.#backoff();
          continue;
        }
      }
      if (!this.#batch && this.#count > 0) this.#takeBatch();
      if (!this.#batch && this.#progress.size === 0) return;
      const batch = this.#batch;
      const records = !batch ? [] : this.#batchStart === 0 ? batch : batch.slice(this.#batchStart);
      const progress = this.#progress;
      const progressSeq = this.#progressSeq;
      this.#progress = new Map();
      this.#inFlight = true;
      this.#doomed = 0;
      let failure: unknown;
      try {
        await this.#sink.insertLogs(records, [...progress.values()]);
      } catch (err) {
        failure = err ?? new Error('insertLogs failed');
      }
      this.#inFlight = false;
      if (failure === undefined) {
        // The doomed lines' bytes were let go when they were doomed.
        for (let i = this.#doomed; i < records.length; i++) this.#bytes -= sizeOf(records[i]!);
        this.#batch = null;
        this.#doomed = 0;
        this.#written += records.length;
        this.#settled += records.length;
        this.#progressSettled = progressSeq;
        this.#recovered();
      } else {
        if (batch) {
          for (let i = 0; i < this.#doomed; i++) this.#recordDrop(batch[this.#batchStart + i]);
          this.#batchStart += this.#doomed;
          if (this.#batchStart >= batch.length) this.#batch = null;
        }
        this.#doomed = 0;
        // Back for the retry, unless the task has reported again meanwhile (the newer report wins).
        for (const [key, record] of progress) if (!this.#progress.has(key)) this.#progress.set(key, record);
        this.#failed(failure);
      }
      this.#resolveWaiters();
      if (failure !== undefined) await this.#backoff();
    }
  }

  #takeBatch(): void {
    const n = Math.min(this.#count, this.#batchSize);
    const batch = new Array<LogRecord>(n);
    for (let i = 0; i < n; i++) {
      const slot = (this.#head + i) % this.#capacity;
      batch[i] = this.#ring[slot]!;
      this.#ring[slot] = undefined;
    }
    this.#head = (this.#head + n) % this.#capacity;
    this.#count -= n;
    this.#batch = batch;
    this.#batchStart = 0;
  }

  /** Makes room for one record by dropping the oldest one not yet written. */
  #dropOldest(): void {
    const batchLeft = this.#batch ? this.#batch.length - this.#batchStart - this.#doomed : 0;
    if (batchLeft > 0) {
      if (this.#inFlight) {
        this.#bytes -= sizeOf(this.#batch![this.#batchStart + this.#doomed]!);
        this.#doomed++; // settled when the write ends (see #drain)
      } else {
        this.#bytes -= sizeOf(this.#batch![this.#batchStart]!);
        this.#recordDrop(this.#batch![this.#batchStart++]);
        if (this.#batchStart >= this.#batch!.length) this.#batch = null;
      }
    } else if (this.#count > 0) {
      this.#bytes -= sizeOf(this.#ring[this.#head]!);
      this.#recordDrop(this.#ring[this.#head]!);
      this.#ring[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.#capacity;
      this.#count--;
    }
    this.#resolveWaiters();
  }

  #recordDrop(record: LogRecord): void {
    this.#dropped++;
    this.#settled++;
    const runId = String(record.runId);
    const run = this.#dropsByRun.get(runId);
    if (run) {
      run.count++;
      run.whileFailing ||= this.#failing;
    } else {
      this.#dropsByRun.set(runId, {
        count: 1,
        workflowId: String(record.workflowId),
        flow: record.flow ?? null,
        whileFailing: this.#failing,
      });
    }
    if (!this.#warnedDropping) {
      this.#warnedDropping = true;
      this.#tell(
        `Sluice log shipper: the buffer of ${this.#fullOfBytes ? `${this.#capacityBytes} bytes` : `${this.#capacity} log lines`} is full ` +
          `(${this.#failing ? 'the log store is unreachable' : 'the log store cannot keep up'}); dropping the oldest lines. ` +
          'Each affected run gets a warning line once the store is writable again.',
      );
    }
  }

  #dropAfterClose(record: LogRecord): void {
    this.#dropped++;
    if (this.#warnedClosed) return;
    this.#warnedClosed = true;
    this.#tell(`Sluice log shipper: a log line of run ${String(record?.runId)} arrived after close() and was dropped.`);
  }

  /** Writes one warning line per run that lost lines; false if the store failed (the counts are kept). */
  async #writeDropNotices(): Promise<boolean> {
    const runs = this.#dropsByRun;
    this.#dropsByRun = new Map();
    const notices = [...runs].map(([runId, run]) =>
      droppedLinesNotice(runId, run, `buffer (${this.#capacity} lines)`, { bufferCapacity: this.#capacity }),
    );
    try {
      await this.#sink.insertLogs(notices);
      this.#warnedDropping = false;
      return true;
    } catch (err) {
      for (const [runId, run] of runs) {
        const later = this.#dropsByRun.get(runId);
        this.#dropsByRun.set(runId, later ? { ...run, count: run.count + later.count, whileFailing: true } : run);
      }
      this.#failed(err);
      return false;
    }
  }

  #failed(err: unknown): void {
    if (!this.#failing) {
      this.#failing = true;
      this.#failingSince = Date.now();
    }
    if (this.#warnedFailing) return;
    this.#warnedFailing = true;
    const reason = err instanceof Error ? err.message : String(err);
    this.#tell(`Sluice log shipper: cannot write to the log store (${reason}); keeping ${this.#keptIn} and retrying.`);
  }

  #recovered(): void {
    this.#retryMs = FIRST_RETRY_MS;
    if (!this.#failing) return;
    this.#failing = false;
    this.#warnedFailing = false;
    const seconds = ((Date.now() - this.#failingSince) / 1000).toFixed(1);
    this.#tell(`Sluice log shipper: the log store is writable again after ${seconds} s; writing the buffered lines.`);
  }

  async #backoff(): Promise<void> {
    if (this.#stopped) return;
    const ms = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, this.#retryMaxMs);
    // Not unref'd: lines are waiting to be saved, so the process should not quietly exit under them.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wakeRetry = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wakeRetry = null;
  }

  #resolveWaiters(): void {
    if (this.#waiters.length === 0) return;
    const still: { target: number; progressTarget: number; resolve: () => void }[] = [];
    for (const w of this.#waiters) {
      if ((this.#settled >= w.target && this.#progressSettled >= w.progressTarget) || this.#stopped) w.resolve();
      else still.push(w);
    }
    this.#waiters = still;
  }

  #stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerImmediate = false;
    this.#wakeRetry?.();
    this.#resolveWaiters();
  }

  #tell(message: string): void {
    try {
      this.#warn(message);
    } catch {
      // A broken warn callback must not stop the shipping.
    }
  }
}

/**
 * The warning line a run gets when some of its lines were dropped (`full` names what was full: the shipper's
 * buffer, the worker's spool), written once the store is writable again.
 */
export function droppedLinesNotice(runId: string, run: RunDrops, full: string, fields: Record<string, unknown>): LogRecord {
  return {
    time: Date.now(),
    level: 'warn',
    message:
      `${run.count} log lines of this run were dropped: the log store was ` +
      `${run.whileFailing ? 'unreachable' : 'too slow'} and the ${full} was full`,
    fields: { droppedLines: run.count, ...fields },
    workflowId: run.workflowId,
    runId,
    flow: run.flow,
    task: null,
    activityId: null,
    attempt: null,
  };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`LogShipper: ${name} must be a whole number of at least 1, got ${value}.`);
  return value;
}
