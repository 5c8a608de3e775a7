"""The worker's buffer between `log` and the store, with TypeScript's LogShipper behaviour
(sdk/src/store/log-shipper.ts): `push` only puts a record in memory; a drain thread writes batches in order.
While the store is down, records wait (bounded by `capacity` lines and `capacity_bytes`) and the same batch
is retried with capped backoff (100 ms doubling to `retry_max_ms`). When the buffer is full the OLDEST lines
are dropped, the worker is told once, and each affected run later gets one warning line saying so.

Tasks' progress travels with the lines, as in TypeScript: `progress` keeps only the latest report of each task of
a run, and each write carries what was reported since the last one, in the same transaction."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from .json_text import fields_text
from .log_rows import LogRecord, ProgressRecord

FIRST_RETRY_MS = 100
LINE_OVERHEAD_BYTES = 200


class LogSink(Protocol):
    def insert_logs(self, records: list[LogRecord], progress: list[ProgressRecord] | None = None) -> None: ...


def _chars(v: object) -> int:
    return len(v) if type(v) is str else 0  # type: ignore[arg-type]


def size_of(r: LogRecord) -> int:
    """A record's size as the byte bound counts it: two bytes a character, as JavaScript holds strings."""
    message, fields, workflow_id, run_id = r[2], r[3], r[4], r[5]
    if type(message) is str and type(workflow_id) is str and type(run_id) is str:  # the usual line: no calls
        return 2 * (len(message) + (len(fields) if type(fields) is str else 0) + len(workflow_id) + len(run_id)) + LINE_OVERHEAD_BYTES
    return 2 * (_chars(message) + _chars(fields) + _chars(workflow_id) + _chars(run_id)) + LINE_OVERHEAD_BYTES


@dataclass
class _RunDrops:
    count: int
    workflow_id: str
    flow: str | None
    while_failing: bool


@dataclass(frozen=True)
class ShipperStats:
    written: int
    dropped: int
    pending: int
    failing: bool


class LogShipper:
    """Thread-safe: tasks push from the event loop and from their threads alike.

    >>> shipper = LogShipper(sink)
    >>> shipper.push(LogRecord(now_ms, "info", "hello", None, workflow_id, run_id))
    >>> written, dropped, pending = shipper.close(10.0)
    """

    def __init__(
        self,
        sink: LogSink,
        *,
        capacity: int = 100_000,
        capacity_bytes: int = 256 * 1024 * 1024,
        flush_interval_ms: float = 200,
        batch_size: int = 5_000,
        retry_max_ms: float = 5_000,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        for name, value in (("capacity", capacity), ("capacity_bytes", capacity_bytes), ("batch_size", batch_size)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"LogShipper: {name} must be a whole number of at least 1, got {value!r}.")
        self._sink = sink
        self._capacity = capacity
        self._capacity_bytes = capacity_bytes
        self._interval = max(0.0, flush_interval_ms) / 1000
        self._batch_size = batch_size
        self._retry_max_ms = max(FIRST_RETRY_MS, retry_max_ms)
        self._warn = warn or (lambda m: print(m, flush=True))

        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._wake = threading.Event()
        self._ring: deque[LogRecord] = deque()
        self._bytes = 0
        self._full_of_bytes = False
        # The oldest records, taken to be written: kept until written, so a failed write is retried with exactly
        # these lines, in order. `_doomed` counts its oldest lines dropped while the write was in flight.
        self._batch: list[LogRecord] | None = None
        self._batch_start = 0
        self._in_flight = False
        self._doomed = 0
        self._pushed = 0
        self._settled = 0
        self._written = 0
        self._dropped = 0
        self._drops_by_run: dict[str, _RunDrops] = {}
        # The latest progress of each task of a run, by (run id, activity id), reported since a write took them;
        # `_progress_seq` counts reports, `_progress_settled` is the count up to which every report is written.
        self._progress: dict[tuple[str, str], ProgressRecord] = {}
        self._progress_seq = 0
        self._progress_settled = 0
        self._failing = False
        self._failing_since = 0.0
        self._warned_failing = False
        self._warned_dropping = False
        self._warned_closed = False
        self._retry_ms: float = FIRST_RETRY_MS
        self._closing = False
        self._stopped = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sluice-log-shipper", daemon=True)
        self._thread.start()

    def push(self, record: LogRecord) -> None:
        """Queues one record. Never raises, never waits on the store, does no I/O."""
        try:
            size = size_of(record)
            with self._lock:
                if self._closing:
                    self._drop_after_close(record)
                    return
                ring = self._ring
                if len(ring) + (len(self._batch) - self._batch_start - self._doomed if self._batch is not None else 0) >= self._capacity:
                    self._drop_oldest()
                if self._bytes + size > self._capacity_bytes:
                    # A line bigger than the whole bound is still kept, alone: dropping it would lose it and all before it.
                    self._full_of_bytes = True
                    while self._bytes + size > self._capacity_bytes and self._pending() > 0:
                        self._drop_oldest()
                    self._full_of_bytes = False
                self._bytes += size
                ring.append(record)
                self._pushed += 1
                if len(ring) == self._batch_size:
                    self._wake.set()
        except Exception:
            pass  # a logger must not break the code that logs

    def progress(self, record: ProgressRecord) -> None:
        """Keeps a task's latest progress, written with the next batch (replacing what the same task of the run
        reported since the last one). Never raises, never waits on the store."""
        try:
            with self._lock:
                if self._closing:
                    return
                self._progress[(record.run_id, record.activity_id)] = record
                self._progress_seq += 1
        except Exception:
            pass  # reporting progress must not break the task

    def flush(self, timeout: float | None = None) -> bool:
        """Waits until every record pushed (and every progress reported) before the call is written or dropped;
        False if `timeout` passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            target = self._pushed
            progress_target = self._progress_seq
            self._wake.set()
            while (self._settled < target or self._progress_settled < progress_target) and not self._stopped:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._changed.wait(left)
        return True

    def close(self, timeout: float = 10.0) -> tuple[int, int, int]:
        """Writes what is buffered within `timeout` seconds, then stops: (written, dropped, pending)."""
        with self._lock:
            self._closing = True
        self.flush(timeout)
        with self._lock:
            self._stopped = True
            self._changed.notify_all()
        self._stop.set()
        self._wake.set()
        self._thread.join(1.0)
        with self._lock:
            return self._written, self._dropped, self._pending()

    @property
    def stats(self) -> ShipperStats:
        with self._lock:
            return ShipperStats(self._written, self._dropped, self._pending(), self._failing)

    @property
    def pending_bytes(self) -> int:
        return self._bytes

    # -- inside the lock -------------------------------------------------------------------------------------

    def _pending(self) -> int:
        batch_left = len(self._batch) - self._batch_start - self._doomed if self._batch is not None else 0
        return len(self._ring) + batch_left

    def _drop_oldest(self) -> None:
        batch_left = len(self._batch) - self._batch_start - self._doomed if self._batch is not None else 0
        if batch_left > 0:
            assert self._batch is not None
            if self._in_flight:
                self._bytes -= size_of(self._batch[self._batch_start + self._doomed])
                self._doomed += 1  # settled when the write ends
            else:
                record = self._batch[self._batch_start]
                self._batch_start += 1
                self._bytes -= size_of(record)
                self._record_drop(record)
                if self._batch_start >= len(self._batch):
                    self._batch = None
        elif self._ring:
            record = self._ring.popleft()
            self._bytes -= size_of(record)
            self._record_drop(record)
        self._changed.notify_all()

    def _record_drop(self, record: LogRecord) -> None:
        self._dropped += 1
        self._settled += 1
        run_id = str(record.run_id)
        run = self._drops_by_run.get(run_id)
        if run:
            run.count += 1
            run.while_failing = run.while_failing or self._failing
        else:
            self._drops_by_run[run_id] = _RunDrops(1, str(record.workflow_id), record.flow, self._failing)
        if not self._warned_dropping:
            self._warned_dropping = True
            bound = f"{self._capacity_bytes} bytes" if self._full_of_bytes else f"{self._capacity} log lines"
            why = "the log store is unreachable" if self._failing else "the log store cannot keep up"
            self._tell(
                f"Sluice log shipper: the buffer of {bound} is full ({why}); dropping the oldest lines. "
                "Each affected run gets a warning line once the store is writable again."
            )

    def _drop_after_close(self, record: LogRecord) -> None:
        self._dropped += 1
        if self._warned_closed:
            return
        self._warned_closed = True
        self._tell(f"Sluice log shipper: a log line of run {record.run_id} arrived after close() and was dropped.")

    def _tell(self, message: str) -> None:
        try:
            self._warn(message)
        except Exception:
            pass  # a broken warn callback must not stop the shipping

    # -- the drain thread ------------------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            self._wake.wait(self._interval if self._interval > 0 else None)
            self._wake.clear()
            if self._stopped:
                return
            self._drain()

    def _drain(self) -> None:
        while not self._stopped:
            with self._lock:
                notices = self._take_drop_notices() if self._batch is None and self._drops_by_run and not self._failing else None
            if notices is not None:
                if not self._write_drop_notices(*notices):
                    self._backoff()
                    continue
            with self._lock:
                if self._batch is None and self._ring:
                    n = min(len(self._ring), self._batch_size)
                    self._batch = [self._ring.popleft() for _ in range(n)]
                    self._batch_start = 0
                if self._batch is None and not self._progress:
                    return
                batch = self._batch
                records = [] if batch is None else batch if self._batch_start == 0 else batch[self._batch_start :]
                progress, progress_seq = self._progress, self._progress_seq
                self._progress = {}
                self._in_flight = True
                self._doomed = 0
            failure: BaseException | None = None
            try:
                self._sink.insert_logs(records, list(progress.values()))
            except Exception as err:  # noqa: BLE001 - any failure of the store is an outage to ride out
                failure = err
            with self._lock:
                self._in_flight = False
                if failure is None:
                    for r in records[self._doomed :]:
                        self._bytes -= size_of(r)
                    self._batch = None
                    self._doomed = 0
                    self._written += len(records)
                    self._settled += len(records)
                    self._progress_settled = progress_seq
                    self._recovered()
                else:
                    if batch is not None:
                        for i in range(self._doomed):
                            self._record_drop(batch[self._batch_start + i])
                        self._batch_start += self._doomed
                        if self._batch_start >= len(batch):
                            self._batch = None
                    self._doomed = 0
                    # Back for the retry, unless the task has reported again meanwhile (the newer report wins).
                    for key, record in progress.items():
                        self._progress.setdefault(key, record)
                    self._failed(failure)
                self._changed.notify_all()
            if failure is not None:
                self._backoff()

    def _take_drop_notices(self) -> tuple[dict[str, _RunDrops], list[LogRecord]]:
        runs = self._drops_by_run
        self._drops_by_run = {}
        now = time.time_ns() // 1_000_000
        notices = [
            LogRecord(
                now,
                "warn",
                f"{run.count} log lines of this run were dropped: the log store was "
                f"{'unreachable' if run.while_failing else 'too slow'} and the buffer ({self._capacity} lines) was full",
                fields_text({"droppedLines": run.count, "bufferCapacity": self._capacity}),
                run.workflow_id,
                run_id,
                run.flow,
                None,
                None,
                None,
            )
            for run_id, run in runs.items()
        ]
        return runs, notices

    def _write_drop_notices(self, runs: dict[str, _RunDrops], notices: list[LogRecord]) -> bool:
        try:
            self._sink.insert_logs(notices)
            with self._lock:
                self._warned_dropping = False
            return True
        except Exception as err:  # noqa: BLE001
            with self._lock:
                for run_id, run in runs.items():
                    later = self._drops_by_run.get(run_id)
                    if later:
                        run = _RunDrops(run.count + later.count, run.workflow_id, run.flow, True)
                    self._drops_by_run[run_id] = run
                self._failed(err)
            return False

    def _failed(self, err: BaseException) -> None:
        if not self._failing:
            self._failing = True
            self._failing_since = time.monotonic()
        if self._warned_failing:
            return
        self._warned_failing = True
        self._tell(
            f"Sluice log shipper: cannot write to the log store ({err}); keeping up to {self._capacity} "
            "log lines in memory and retrying."
        )

    def _recovered(self) -> None:
        self._retry_ms = FIRST_RETRY_MS
        if not self._failing:
            return
        self._failing = False
        self._warned_failing = False
        seconds = time.monotonic() - self._failing_since
        self._tell(f"Sluice log shipper: the log store is writable again after {seconds:.1f} s; writing the buffered lines.")

    def _backoff(self) -> None:
        if self._stopped:
            return
        ms = self._retry_ms
        self._retry_ms = min(self._retry_ms * 2, self._retry_max_ms)
        self._stop.wait(ms / 1000)  # close() ends the wait at once
