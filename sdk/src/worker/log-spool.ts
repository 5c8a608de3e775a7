/**
 * The worker's log spool: every line a flow or task writes is appended to a file before it goes to the store, so
 * it outlives the worker. A task's lines are appended and fsync'd before Temporal hears that the task completed
 * (`sync()`, awaited by ./spool-sync.ts): a worker killed the next moment loses none of them, and the next worker
 * of the task queue sends them. Several tasks ending together share one fsync.
 *
 * Layout: `<dir>/<instance>/` per worker process, holding `owner.json` (./spool-owner.ts), segments
 * `00000001.log`, … of JSON lines, and `ack` (the segment and offset up to which the store has the lines, so a
 * restart does not send them twice). A worker adopts the directory of a dead one by renaming it into its own
 * `adopted/` (atomic: two workers starting together never both take it) and drains it before its own lines.
 *
 * The shipper (../store/log-shipper.ts) sends what the spool holds, a chunk at a time, and a segment is deleted
 * once the store has all of it. While the store is down the lines wait on disk, bounded by `maxBytes`: beyond it
 * the oldest segment is dropped and each run that lost lines gets a warning line once the store is back.
 * Progress reports do not go through the file: they travel with the next batch, as before (a lost report is
 * replaced by the next one; a lost line is not).
 */
import {
  closeSync, fdatasync, fdatasyncSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync,
  rmSync, statSync, unlinkSync, writeSync,
} from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fieldsText } from '../log-fields';
import { droppedLinesNotice, LogShipper, type LogShipperOptions, type LogSink, type RunDrops } from '../store/log-shipper';
import type { LogRecord, ProgressRecord } from '../store/types';
import { OWNER_FILE, OWNER_TOUCH_MS, ownerIsDead, touchOwner, writeOwner } from './spool-owner';

export interface LogSpoolOptions {
  /** The task queue's spool directory (SLUICE_SPOOL_DIR/<task queue>); created if missing. */
  dir: string;
  /** Where the lines go: the store, or the worker API client. */
  sink: LogSink;
  /** Most bytes the spool keeps on disk, its dead predecessors' segments included (default 1 GiB). */
  maxBytes?: number;
  /** Size at which a segment is closed and the next begun (default maxBytes / 16, at most 64 MiB). */
  segmentBytes?: number;
  /** How long a line may wait in memory before it is appended (ms, default 100); a task's end appends at once. */
  writeIntervalMs?: number;
  /** For the shipper that sends from the spool (batch size, retry backoff). */
  shipper?: Pick<LogShipperOptions, 'batchSize' | 'flushIntervalMs' | 'retryMaxMs'>;
  /** Told when the store fails or recovers, when lines are dropped, when the spool cannot be written. */
  warn?: (message: string) => void;
}

export interface LogSpoolStats {
  /** Lines written to the store (with those of dead workers drained here). */
  written: number;
  /** Lines dropped because the spool was full (or pushed after close). */
  dropped: number;
  /** Bytes of lines on disk not yet in the store. */
  spooledBytes: number;
  /** True while the store fails. */
  failing: boolean;
}

export interface LogSpoolClosed {
  written: number;
  dropped: number;
  /** Lines left in the spool for the next worker of the task queue (the store was down, or too slow). */
  keptLines: number;
  keptBytes: number;
  /** Where they are kept. */
  dir: string;
}

interface Segment {
  /** The instance directory it lives in (its `ack` is there). */
  dir: string;
  file: string;
  seq: number;
  /** Bytes in the file: complete lines only, for a segment this worker writes. */
  size: number;
  /** Bytes whose lines the store has. */
  acked: number;
  writing: boolean;
  /** Dropped for room, or deleted once sent. */
  gone: boolean;
  /** The adoption it came with (none: this worker's own). */
  adoption?: Adoption;
}

/** Lines just appended, kept for the shipper (see #keepInMemory). */
interface TailChunk {
  seg: Segment;
  start: number;
  end: number;
  records: LogRecord[];
}

interface Adoption {
  dir: string;
  left: Set<Segment>;
}

const SEGMENT = /^(\d{8})\.log$/;
const ACK_FILE = 'ack';
const DEFAULT_MAX_BYTES = 1024 ** 3;
const MAX_SEGMENT_BYTES = 64 * 1024 ** 2;
/**
 * Lines waiting in memory beyond this are appended at once, even inside a task's tight loop. High: a write in the
 * loop blocks on a busy disk (`npm run bench -- logs`: 8 MiB made a log call 17 µs instead of 2 there); below it,
 * lines are appended on the timer or when the task ends.
 */
const WRITE_NOW_BYTES = 64 * 1024 ** 2;
/**
 * Lines appended with one write when a task's end finds more waiting (see #writeInSlices): the shipper's batch size,
 * so that the store writes the first batch while the next ones are encoded.
 */
const WRITE_SLICE_LINES = 5_000;
/** How much the shipper is handed at a time (it splits that into batches). */
const READ_BYTES = 4 * 1024 ** 2;
/** Most bytes of appended lines also kept in memory for the shipper. */
const TAIL_BYTES = 32 * 1024 ** 2;
const RESOLVED = Promise.resolve();

const segmentName = (seq: number) => `${String(seq).padStart(8, '0')}.log`;
const sizeInMemory = (r: LogRecord) =>
  2 * ((r.message?.length ?? 0) + (r.fieldsText?.length ?? 0) + (r.workflowId?.length ?? 0) + (r.runId?.length ?? 0)) + 200;

/** The last line's run and task, and the end of a line they make (see lineOf). */
let lastOf: LogRecord | null = null;
let lastEnd = '';

/**
 * One line of a segment: the record as a JSON array, its fields as text (bigint and the like made safe). An array,
 * not an object: writing it is a quarter faster, and a task's loop of log calls pays for it. The array ends with
 * the run and task, the same for every line a task writes in a row: their JSON is made once for all of them.
 */
function lineOf(r: LogRecord): string {
  const text = r.fieldsText ?? fieldsText(r.fields);
  const last = lastOf;
  if (
    !last || last.workflowId !== r.workflowId || last.runId !== r.runId || last.flow !== r.flow || last.task !== r.task ||
    last.activityId !== r.activityId || last.attempt !== r.attempt
  ) {
    lastEnd = JSON.stringify([r.workflowId, r.runId, r.flow ?? null, r.task ?? null, r.activityId ?? null, r.attempt ?? null]).slice(1, -1);
    lastOf = r;
  }
  const start = `[${JSON.stringify(r.time) ?? 'null'},${JSON.stringify(r.level) ?? 'null'},${JSON.stringify(r.message) ?? 'null'},${text === undefined ? 'null' : JSON.stringify(text)},${lastEnd}`;
  // What `publish` published with the line (sdk/src/artifacts.ts), already checked and bounded: the rare 11th element.
  return r.artifact === undefined ? `${start}]\n` : `${start},${JSON.stringify(r.artifact)}]\n`;
}

/** The record of a line `lineOf` wrote; throws on anything else. */
function recordOf(line: string): LogRecord {
  const [time, level, message, text, workflowId, runId, flow, task, activityId, attempt, artifact] = JSON.parse(line) as [
    number, LogRecord['level'], string, string | null, string, string, string | null, string | null, string | null, number | null, LogRecord['artifact'],
  ];
  if (typeof runId !== 'string' || typeof message !== 'string') throw new TypeError('not a spooled log line');
  return { time, level, message, ...(text === null ? {} : { fieldsText: text }), workflowId, runId, flow, task, activityId, attempt, ...(artifact === undefined ? {} : { artifact }) };
}

/** Opens the spool: makes this worker's directory, adopts dead workers' ones and starts sending. */
export function openLogSpool(options: LogSpoolOptions): LogSpool {
  return new LogSpool(options);
}

/**
 * @example
 * const spool = openLogSpool({ dir: 'data/spool/etl', sink: store });
 * spool.push(record);              // in a task: never waits, never throws
 * await spool.sync();              // after the task: its lines are on disk
 * const closed = await spool.close(10_000);
 */
export class LogSpool {
  readonly dir: string;
  readonly #root: string;
  readonly #id: string;
  readonly #maxBytes: number;
  readonly #segmentBytes: number;
  readonly #writeIntervalMs: number;
  readonly #warn: (message: string) => void;
  readonly #shipper: LogShipper;

  // Writing: lines wait in #pending, then are appended to the current segment with one write.
  #pending: LogRecord[] = [];
  #pendingBytes = 0;
  #timer: NodeJS.Timeout | null = null;
  #seq = 0;
  #fd: number | null = null;
  #current: Segment | null = null;
  #dirty = false; // appended since the last fsync began
  #syncWaiters: (() => void)[] = [];
  #syncingFd: number | null = null;
  #syncRunning: Promise<void> | null = null;
  #closeAfterSync: number | null = null;
  #writeFailed = false;
  #slicing: Promise<void> | null = null;

  // Sending: adopted segments first, oldest first, then this worker's own.
  #adopted: Segment[] = [];
  #own: Segment[] = [];
  #totalBytes = 0;
  #reader: { seg: Segment; handle: FileHandle } | null = null;
  #ackFds = new Map<string, number>();
  #tail: TailChunk[] = [];
  #tailBytes = 0;
  #wake: (() => void) | null = null;
  #pump: Promise<void>;
  #drainWaiters: (() => void)[] = [];

  #drops = new Map<string, RunDrops>();
  #dropped = 0;
  #warnedFull = false;
  #warnedCorrupt = false;
  #warnedClosed = false;
  #heartbeat: NodeJS.Timeout;
  #closing: Promise<LogSpoolClosed> | null = null;
  #stopped = false;

  constructor(opts: LogSpoolOptions) {
    this.#root = path.resolve(opts.dir);
    this.#maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    if (!Number.isInteger(this.#maxBytes) || this.#maxBytes < 1024) throw new RangeError(`LogSpool: maxBytes must be a whole number of at least 1024, got ${opts.maxBytes}.`);
    this.#segmentBytes = opts.segmentBytes ?? Math.min(MAX_SEGMENT_BYTES, Math.floor(this.#maxBytes / 16));
    this.#writeIntervalMs = opts.writeIntervalMs ?? 100;
    this.#warn = opts.warn ?? ((m) => console.warn(m));
    this.#shipper = new LogShipper(opts.sink, { ...opts.shipper, warn: this.#warn, keptIn: `the lines in the spool ${this.#root}` });

    // Made under a dot-name and renamed into place, so no other worker ever sees it without its owner file.
    this.#id = `${os.hostname()}-${process.pid}-${Date.now().toString(36)}`.replace(/[^\w.-]/g, '_');
    this.dir = path.join(this.#root, this.#id);
    const making = path.join(this.#root, `.new-${this.#id}`);
    try {
      mkdirSync(making, { recursive: true });
      writeOwner(making);
      renameSync(making, this.dir);
    } catch (e) {
      throw new Error(
        `Cannot make the log spool in ${this.#root} (${(e as Error).message}). Set SLUICE_SPOOL_DIR to a directory the worker can write, ` +
          'on a volume that outlives the worker.',
        { cause: e },
      );
    }
    this.#adoptDead();
    this.#heartbeat = setInterval(() => {
      touchOwner(this.dir);
      this.#adoptDead(); // an owner on another host is dead only once its file is stale
    }, OWNER_TOUCH_MS);
    this.#heartbeat.unref();
    this.#pump = this.#pumpLoop();
  }

  /** Queues one line of a run. Never throws, never waits; appends to the file itself once enough waits. */
  push(record: LogRecord): void {
    try {
      if (this.#closing) return this.#dropAfterClose(record);
      if (typeof record !== 'object' || record === null) return;
      this.#pending.push(record);
      this.#pendingBytes += sizeInMemory(record);
      if (this.#pendingBytes >= WRITE_NOW_BYTES) this.#write();
      else if (!this.#timer) {
        this.#timer = setTimeout(() => ((this.#timer = null), this.#write()), this.#writeIntervalMs);
        this.#timer.unref();
      }
    } catch {
      // A logger must not break the code that logs.
    }
  }

  /** A task's latest progress: sent with the next batch (not spooled: the next report replaces a lost one). */
  progress(record: ProgressRecord): void {
    this.#shipper.progress(record);
  }

  /**
   * Resolves once every line pushed before the call is appended and fsync'd. Callers arriving while an fsync runs
   * share the next one. Never rejects: if the disk fails, the lines go on from memory (and the warning says so).
   */
  sync(): Promise<void> {
    if (this.#pending.length > WRITE_SLICE_LINES) {
      this.#slicing ??= this.#writeInSlices().finally(() => (this.#slicing = null));
      return this.#slicing.then(() => this.#syncNow());
    }
    return this.#syncNow();
  }

  #syncNow(): Promise<void> {
    if (this.#pending.length > 0) this.#write();
    // Nothing appended since the last fsync began: the caller's lines are in that one, done or running.
    if (!this.#dirty || this.#fd === null) return this.#syncRunning ?? RESOLVED;
    return new Promise((resolve) => {
      this.#syncWaiters.push(resolve);
      if (this.#syncingFd === null) this.#startSync();
    });
  }

  get stats(): LogSpoolStats {
    const { written, failing } = this.#shipper.stats;
    return { written, dropped: this.#dropped, spooledBytes: this.#unsentBytes(), failing };
  }

  /**
   * Appends what waits, sends for up to `timeoutMs`, then stops. What the store did not take stays in the spool
   * for the next worker of the task queue (the directory's owner file is removed, so it may be adopted at once).
   */
  close(timeoutMs = 10_000): Promise<LogSpoolClosed> {
    this.#closing ??= (async () => {
      await this.sync();
      clearInterval(this.#heartbeat);
      let timer: NodeJS.Timeout | undefined;
      const drained = new Promise<void>((resolve) => {
        this.#drainWaiters.push(resolve);
        this.#checkDrained();
      });
      await Promise.race([drained, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
      this.#stopped = true;
      this.#wake?.();
      await this.#shipper.close(0);
      await this.#pump;
      await this.#reader?.handle.close().catch(() => {});
      this.#spoolDropNotices(true);
      if (this.#fd !== null && this.#dirty) fdatasyncSync(this.#fd);
      this.#closeSegmentFile();
      this.#closeAckFiles(this.#root);
      const keptBytes = this.#unsentBytes();
      const keptLines = keptBytes > 0 ? this.#countUnsentLines() : 0;
      try {
        if (keptBytes === 0) rmSync(this.dir, { recursive: true, force: true });
        else unlinkSync(path.join(this.dir, OWNER_FILE));
      } catch {
        // left as it is: the next worker adopts it once this process is gone
      }
      return { written: this.#shipper.stats.written, dropped: this.#dropped, keptLines, keptBytes, dir: this.dir };
    })();
    return this.#closing;
  }

  // ---- writing ----

  /**
   * Appends what waits, in slices, yielding to the event loop between them: the pump hands the first slice to the
   * shipper, whose write to the store (another process, for PostgreSQL or the worker API) then runs while the next
   * slices are encoded, instead of after all of them (100,000 lines: about 150 ms of encoding).
   */
  async #writeInSlices(): Promise<void> {
    while (this.#pending.length > WRITE_SLICE_LINES) {
      this.#write(WRITE_SLICE_LINES);
      // Flushed a slice at a time too: one flush of all of them held up the store's own (SQLite's checkpoints) on the disk.
      if (this.#syncingFd === null && this.#dirty && this.#fd !== null) this.#startSync();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Appends the first `limit` waiting lines (default all) with one write. */
  #write(limit = Infinity): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#pending.length === 0) return;
    let records = this.#pending;
    if (records.length <= limit) {
      this.#pending = [];
      this.#pendingBytes = 0;
    } else {
      records = this.#pending.splice(0, limit);
      for (const r of records) this.#pendingBytes -= sizeInMemory(r);
    }
    let seg = this.#current;
    try {
      let text = '';
      for (const r of records) text += lineOf(r);
      const bytes = Buffer.from(text);
      if (!seg || (seg.size > 0 && seg.size + bytes.length > this.#segmentBytes)) seg = this.#rotate();
      try {
        for (let done = 0; done < bytes.length; ) done += writeSync(this.#fd!, bytes, done);
      } catch (e) {
        ftruncateSync(this.#fd!, seg.size); // no torn line that the next write would glue to its first
        throw e;
      }
      this.#keepInMemory(seg, seg.size, seg.size + bytes.length, records);
      seg.size += bytes.length;
      this.#totalBytes += bytes.length;
      this.#dirty = true;
      this.#writeFailed = false;
      this.#wake?.();
      this.#enforceBound();
    } catch (e) {
      // The disk is full or gone: the lines go on from memory, as before there was a spool.
      for (const r of records) this.#shipper.push(r);
      if (!this.#writeFailed) {
        this.#writeFailed = true;
        this.#tell(`Sluice log spool: cannot append to ${this.dir} (${(e as Error).message}); sending log lines from memory, unprotected if the worker dies.`);
      }
    }
  }

  #rotate(): Segment {
    if (this.#fd !== null) fdatasyncSync(this.#fd);
    this.#closeSegmentFile();
    const seq = ++this.#seq;
    const file = path.join(this.dir, segmentName(seq));
    this.#fd = openSync(file, 'a');
    this.#dirty = false;
    syncDirectory(this.dir); // the new name survives a power cut, not only its content
    const seg: Segment = { dir: this.dir, file, seq, size: 0, acked: 0, writing: true, gone: false };
    this.#own.push(seg);
    this.#current = seg;
    return seg;
  }

  /** Closes the segment being written (once a running fsync of it is done); the next write begins another. */
  #closeSegmentFile(): void {
    if (this.#current) this.#current.writing = false;
    this.#current = null;
    if (this.#fd === null) return;
    if (this.#syncingFd === this.#fd) this.#closeAfterSync = this.#fd;
    else closeSync(this.#fd);
    this.#fd = null;
    this.#dirty = false;
  }

  /** One fdatasync for every caller waiting now; callers arriving meanwhile wait for the next one. */
  #startSync(): void {
    const fd = this.#fd!;
    const waiters = this.#syncWaiters;
    this.#syncWaiters = [];
    this.#dirty = false;
    this.#syncingFd = fd;
    let done!: () => void;
    this.#syncRunning = new Promise((resolve) => (done = resolve));
    fdatasync(fd, (err) => {
      this.#syncingFd = null;
      this.#syncRunning = null;
      done();
      if (this.#closeAfterSync === fd) {
        this.#closeAfterSync = null;
        closeSync(fd);
      }
      if (err && !this.#writeFailed) this.#tell(`Sluice log spool: fsync of ${this.dir} failed (${err.message}).`);
      for (const resolve of waiters) resolve();
      if (this.#syncWaiters.length > 0) {
        if (this.#dirty && this.#fd !== null) this.#startSync();
        else for (const resolve of this.#syncWaiters.splice(0)) resolve();
      }
    });
  }

  // ---- the byte bound ----

  #enforceBound(): void {
    while (this.#totalBytes > this.#maxBytes) {
      const victim = this.#adopted.find((s) => !s.gone) ?? this.#own.find((s) => !s.gone && !s.writing);
      if (!victim) return; // only the segment being written: it is closed at segmentBytes
      this.#drop(victim);
    }
  }

  /** Drops a whole segment, counting its unsent lines per run for the warning lines. */
  #drop(seg: Segment): void {
    const inFlight = this.#inFlight?.seg === seg ? this.#inFlight.upTo : seg.acked; // handed to the shipper: it keeps those
    let text = '';
    try {
      text = readFileSync(seg.file).subarray(inFlight, seg.size).toString('utf8');
    } catch {
      // unreadable: it is dropped all the same, uncounted
    }
    const failing = this.#shipper.stats.failing;
    let lines = 0;
    for (const line of text.split('\n')) {
      if (!line) continue;
      let r: LogRecord;
      try {
        r = recordOf(line);
      } catch {
        continue;
      }
      lines++;
      const run = this.#drops.get(r.runId);
      if (run) {
        run.count++;
        run.whileFailing ||= failing;
      } else this.#drops.set(r.runId, { count: 1, workflowId: r.workflowId, flow: r.flow ?? null, whileFailing: failing });
    }
    this.#dropped += lines;
    this.#retire(seg);
    if (!this.#warnedFull) {
      this.#warnedFull = true;
      this.#tell(
        `Sluice log spool: the spool of ${this.#maxBytes} bytes at ${this.#root} is full (${failing ? 'the log store is unreachable' : 'the log store cannot keep up'}); ` +
          'dropping the oldest lines. Each affected run gets a warning line once the store is writable again.',
      );
    }
  }

  /**
   * The warning lines of runs that lost lines, spooled like any line once the store takes lines again (or at close,
   * so that the next worker writes them).
   */
  #spoolDropNotices(evenWhileFailing = false): void {
    if (this.#drops.size === 0 || (this.#shipper.stats.failing && !evenWhileFailing)) return;
    const runs = this.#drops;
    this.#drops = new Map();
    this.#warnedFull = false;
    for (const [runId, run] of runs) this.#pending.push(droppedLinesNotice(runId, run, `spool (${this.#maxBytes} bytes)`, { spoolBytes: this.#maxBytes }));
    this.#write();
  }

  // ---- sending ----

  /** What the shipper holds now: `seg` up to `upTo`. */
  #inFlight: { seg: Segment; upTo: number } | null = null;

  async #pumpLoop(): Promise<void> {
    while (!this.#stopped) {
      const seg = this.#adopted[0] ?? this.#own[0];
      if (!seg || (seg.acked >= seg.size && seg.writing)) {
        this.#spoolDropNotices();
        this.#checkDrained();
        await this.#idle();
        continue;
      }
      if (seg.acked >= seg.size) {
        this.#retire(seg);
        continue;
      }
      let chunk: { records: LogRecord[]; upTo: number };
      try {
        chunk = this.#fromMemory(seg) ?? (await this.#read(seg));
      } catch (e) {
        if (!seg.gone) {
          this.#tell(`Sluice log spool: cannot read ${seg.file} (${(e as Error).message}); skipping it.`);
          this.#retire(seg);
        }
        continue;
      }
      if (seg.gone) continue;
      this.#inFlight = { seg, upTo: chunk.upTo };
      for (const r of chunk.records) this.#shipper.push(r);
      await this.#shipper.flush();
      this.#inFlight = null;
      // Stopped while the store was down: the chunk stays in the spool, acknowledged only if really written.
      if (this.#stopped && this.#shipper.stats.pending > 0) break;
      if (seg.gone) continue;
      seg.acked = chunk.upTo;
      this.#writeAck(seg);
    }
  }

  /**
   * Keeps what was just appended in memory too, so that the shipper, when it keeps up, sends it without reading
   * and parsing it back. Bounded: past TAIL_BYTES the tail is let go, and the pump reads the file instead.
   */
  #keepInMemory(seg: Segment, start: number, end: number, records: LogRecord[]): void {
    if (this.#tailBytes + (end - start) > TAIL_BYTES) {
      this.#tail = [];
      this.#tailBytes = 0;
      return;
    }
    this.#tail.push({ seg, start, end, records });
    this.#tailBytes += end - start;
  }

  /** The appended chunks that continue `seg` from its ack, if memory still has them (up to READ_BYTES). */
  #fromMemory(seg: Segment): { records: LogRecord[]; upTo: number } | undefined {
    // The tail holds this worker's own segments only; while the pump drains adopted ones it waits.
    const behind = (c: TailChunk) => c.seg.gone || (c.seg === seg && c.end <= seg.acked) || (!seg.adoption && c.seg.seq < seg.seq);
    while (this.#tail.length > 0 && behind(this.#tail[0]!)) {
      const passed = this.#tail.shift()!;
      this.#tailBytes -= passed.end - passed.start;
    }
    let upTo = seg.acked;
    const records: LogRecord[] = [];
    while (this.#tail.length > 0 && this.#tail[0]!.seg === seg && this.#tail[0]!.start === upTo && upTo - seg.acked < READ_BYTES) {
      const chunk = this.#tail.shift()!;
      this.#tailBytes -= chunk.end - chunk.start;
      for (const r of chunk.records) records.push(r);
      upTo = chunk.end;
    }
    return upTo > seg.acked ? { records, upTo } : undefined;
  }

  /** The next chunk of whole lines of `seg` from its ack (a torn last line of a dead worker is skipped). */
  async #read(seg: Segment): Promise<{ records: LogRecord[]; upTo: number }> {
    if (this.#reader?.seg !== seg) {
      await this.#reader?.handle.close().catch(() => {});
      this.#reader = null;
      this.#reader = { seg, handle: await open(seg.file, 'r') };
    }
    let want = Math.min(READ_BYTES, seg.size - seg.acked);
    for (;;) {
      const buffer = Buffer.allocUnsafe(want);
      const { bytesRead } = await this.#reader.handle.read(buffer, 0, want, seg.acked);
      const end = buffer.lastIndexOf(10, bytesRead - 1);
      const atEnd = seg.acked + bytesRead >= seg.size;
      if (end < 0 && !atEnd) {
        want *= 2; // one line longer than a chunk
        continue;
      }
      if (end < 0) return { records: [], upTo: seg.size }; // only a torn line is left
      const records: LogRecord[] = [];
      for (const line of buffer.toString('utf8', 0, end).split('\n')) {
        try {
          records.push(recordOf(line));
        } catch {
          if (!this.#warnedCorrupt) {
            this.#warnedCorrupt = true;
            this.#tell(`Sluice log spool: skipped a line of ${seg.file} that is not JSON.`);
          }
        }
      }
      return { records, upTo: atEnd && !seg.writing ? seg.size : seg.acked + end + 1 };
    }
  }

  /** Overwrites the directory's ack in place (fixed width: no truncation, one small write per chunk sent). */
  #writeAck(seg: Segment): void {
    try {
      let fd = this.#ackFds.get(seg.dir);
      if (fd === undefined) this.#ackFds.set(seg.dir, (fd = openSync(path.join(seg.dir, ACK_FILE), 'w')));
      writeSync(fd, `${String(seg.seq).padStart(8, '0')} ${String(seg.acked).padStart(15, '0')}\n`, 0);
    } catch {
      // sent twice after a crash at worst
    }
  }

  /** Deletes a segment (sent, or dropped) and an adopted directory once it has none left. */
  #retire(seg: Segment): void {
    if (!seg.gone) {
      seg.gone = true;
      this.#totalBytes -= seg.size;
      try {
        unlinkSync(seg.file);
      } catch {
        // already gone
      }
    }
    const list = seg.adoption ? this.#adopted : this.#own;
    const at = list.indexOf(seg);
    if (at >= 0) list.splice(at, 1);
    if (seg === this.#current) this.#closeSegmentFile(); // the next write begins a new one
    if (seg.adoption) {
      seg.adoption.left.delete(seg);
      if (seg.adoption.left.size === 0) {
        this.#closeAckFiles(seg.adoption.dir);
        rmSync(seg.adoption.dir, { recursive: true, force: true });
      }
    }
  }

  #closeAckFiles(under: string): void {
    for (const [dir, fd] of this.#ackFds) {
      if (dir !== under && !dir.startsWith(under + path.sep)) continue;
      closeSync(fd);
      this.#ackFds.delete(dir);
    }
  }

  #idle(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = () => {
        this.#wake = null;
        resolve();
      };
    });
  }

  #unsentBytes(): number {
    let n = 0;
    for (const s of [...this.#adopted, ...this.#own]) if (!s.gone) n += s.size - s.acked;
    return n;
  }

  #checkDrained(): void {
    if (this.#drainWaiters.length === 0 || this.#pending.length > 0 || this.#unsentBytes() > 0 || this.#drops.size > 0) return;
    for (const resolve of this.#drainWaiters.splice(0)) resolve();
  }

  #countUnsentLines(): number {
    let lines = 0;
    for (const s of [...this.#adopted, ...this.#own]) {
      if (s.gone) continue;
      try {
        const text = readFileSync(s.file).subarray(s.acked, s.size);
        for (let i = text.indexOf(10); i >= 0; i = text.indexOf(10, i + 1)) lines++;
      } catch {
        // counted as bytes only
      }
    }
    return lines;
  }

  // ---- adopting dead workers' directories ----

  #adoptDead(): void {
    let names: string[];
    try {
      names = readdirSync(this.#root);
    } catch {
      return;
    }
    for (const name of names) {
      if (name === this.#id || name.startsWith('.')) continue;
      const dir = path.join(this.#root, name);
      try {
        if (!statSync(dir).isDirectory() || !ownerIsDead(dir)) continue;
        const adopted = path.join(this.dir, 'adopted', `${Date.now()}-${name}`);
        mkdirSync(path.dirname(adopted), { recursive: true });
        renameSync(dir, adopted); // fails if another worker took it first
        this.#take(adopted);
      } catch {
        // taken by another worker, or vanished
      }
    }
    this.#wake?.();
  }

  /** Queues an adopted directory's segments, its own adoptions' first, from where its ack says the store is. */
  #take(top: string): void {
    const adoption: Adoption = { dir: top, left: new Set() };
    const walk = (dir: string): void => {
      let names: string[] = [];
      try {
        names = readdirSync(path.join(dir, 'adopted')).sort();
      } catch {
        // none
      }
      for (const name of names) walk(path.join(dir, 'adopted', name));
      const [ackSeq, ackOffset] = readAck(dir);
      for (const name of readdirSync(dir).filter((n) => SEGMENT.test(n)).sort()) {
        const file = path.join(dir, name);
        const seq = Number(SEGMENT.exec(name)![1]);
        const size = statSync(file).size;
        const acked = seq < ackSeq ? size : seq === ackSeq ? Math.min(ackOffset, size) : 0;
        const seg: Segment = { dir, file, seq, size, acked, writing: false, gone: false, adoption };
        this.#totalBytes += size;
        adoption.left.add(seg);
        this.#adopted.push(seg);
      }
    };
    walk(top);
    if (adoption.left.size === 0) rmSync(top, { recursive: true, force: true });
    this.#enforceBound();
  }

  #dropAfterClose(record: LogRecord): void {
    this.#dropped++;
    if (this.#warnedClosed) return;
    this.#warnedClosed = true;
    this.#tell(`Sluice log spool: a log line of run ${String(record?.runId)} arrived after the worker stopped and was dropped.`);
  }

  #tell(message: string): void {
    try {
      this.#warn(message);
    } catch {
      // a broken warn callback must not stop the spool
    }
  }
}

function readAck(dir: string): [number, number] {
  try {
    const [seq, offset] = readFileSync(path.join(dir, ACK_FILE), 'utf8').trim().split(' ').map(Number);
    return Number.isInteger(seq) && Number.isInteger(offset) ? [seq!, offset!] : [0, 0];
  } catch {
    return [0, 0];
  }
}

function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not supported here (some file systems): the content is still synced
  }
}

/**
 * The worker's last words about its lines, e.g. "1200 log lines written; 300 log lines (41 KiB) not yet in the
 * store are kept in the spool data/spool/etl/… and sent by the next worker of task queue etl".
 */
export function spoolSummary(closed: LogSpoolClosed, taskQueue: string): string {
  let text = `${closed.written} log lines written`;
  if (closed.dropped) text += `, ${closed.dropped} dropped`;
  if (closed.keptBytes > 0) {
    text +=
      `; ${closed.keptLines} log lines (${Math.ceil(closed.keptBytes / 1024)} KiB) not yet in the store are kept in the spool ` +
      `${closed.dir} and sent by the next worker of task queue ${taskQueue}`;
  }
  return text;
}
