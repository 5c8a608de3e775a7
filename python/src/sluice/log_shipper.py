"""Between `log` and Sluice: `push` appends a line to the spool (sluice.spool) and returns; a thread sends the
spool's lines in order, in batches, to the worker API (POST /api/worker/v1/logs). While Sluice is unreachable
(or answers 503, its store being down) the lines wait in the spool, on disk, and the same lines are sent again
with capped backoff (100 ms doubling to `retry_max_ms`); the worker is told once. Past the spool's bound the
oldest lines are dropped and each run that lost lines gets one warning line saying so.

Tasks' progress travels with the lines, as in TypeScript: `progress` keeps only the latest report of each task of
a run, and each batch carries what was reported since the last one."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .json_text import fields_text
from .spool import RunDrops, Spool
from .wire import ProgressRecord, batch_body, encode_text, line_json, run_suffix
from .worker_api import Unavailable, WorkerApiError

FIRST_RETRY_MS = 100


@dataclass(frozen=True)
class ShipperStats:
    written: int
    dropped: int
    pending: int
    failing: bool


class LogShipper:
    """Thread-safe: tasks push from the event loop and from their threads alike.

    >>> shipper = LogShipper(Spool("./data/spool"), WorkerApi(url, token).post_logs)
    >>> shipper.push(line_json(now_ms, "info", "hello", None, run_suffix(workflow_id, run_id, flow, task, "1", 1)))
    >>> written, dropped, pending = shipper.close(10.0)
    """

    def __init__(
        self,
        spool: Spool,
        post: Callable[[bytes], Any],
        *,
        flush_interval_ms: float = 200,
        batch_size: int = 5_000,
        retry_max_ms: float = 5_000,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"LogShipper: batch_size must be a whole number of at least 1, got {batch_size!r}.")
        self._spool = spool
        self._post = post
        self._interval = max(0.0, flush_interval_ms) / 1000
        self._batch_size = batch_size
        self._retry_max_ms = max(FIRST_RETRY_MS, retry_max_ms)
        self._warn = warn or (lambda m: print(m, flush=True))

        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._wake = threading.Event()
        self._written = 0
        self._dropped = 0
        # Lines dropped by run, told to each run (a warning line) once Sluice takes lines again.
        self._drops: dict[str, RunDrops] = {}
        self._dropped_while_failing = False
        # The latest progress of each task of a run, by (run id, activity id), reported since a batch took them;
        # `_progress_seq` counts reports, `_progress_settled` is the count up to which every report is written.
        self._progress: dict[tuple[str, str], ProgressRecord] = {}
        self._progress_seq = 0
        self._progress_settled = 0
        self._failing = False
        self._failing_since = 0.0
        self._warned = False
        self._warned_spool = False
        self._retry_ms: float = FIRST_RETRY_MS
        self._retry_at = 0.0
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="sluice-log-shipper", daemon=True)
        self._thread.start()

    def push(self, line: str) -> None:
        """Appends one line (`wire.line_json`) to the spool. Never raises, never waits on Sluice."""
        try:
            if self._spool.append(encode_text(line)):
                self._wake.set()  # past the bound: the shipper's thread drops the oldest
        except Exception as err:  # a full disk, a closed spool: a logger must not break the code that logs
            with self._lock:
                self._dropped += 1
                warned, self._warned_spool = self._warned_spool, True
            if not warned:
                self._tell(f"Sluice log shipper: cannot write to the spool at {self._spool.root} ({err}); dropping log lines.")

    def progress(self, record: ProgressRecord) -> None:
        """Keeps a task's latest progress, sent with the next batch (replacing what the same task of the run
        reported since the last one). Never raises, never waits on Sluice."""
        try:
            with self._lock:
                self._progress[(record.run_id, record.activity_id)] = record
                self._progress_seq += 1
        except Exception:
            pass  # reporting progress must not break the task

    def flush(self, timeout: float | None = None) -> bool:
        """Waits until every line in the spool and every progress reported before the call is written (or
        dropped); False if `timeout` passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            progress_target = self._progress_seq
            self._wake.set()
            while (self._spool.pending_lines > 0 or self._progress_settled < progress_target) and not self._stopped:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._changed.wait(min(left, 0.1) if left is not None else 0.1)
        return True

    def close(self, timeout: float = 10.0) -> tuple[int, int, int]:
        """Sends what the spool holds within `timeout` seconds, then stops: (written, dropped, pending). Lines
        still pending stay in the spool, durable, for the next worker on it to send."""
        self.flush(timeout)
        with self._lock:
            self._stopped = True
            self._changed.notify_all()
        self._wake.set()
        self._thread.join(max(1.0, timeout))
        self._spool.close()
        with self._lock:
            return self._written, self._dropped, self._spool.pending_lines

    @property
    def stats(self) -> ShipperStats:
        with self._lock:
            return ShipperStats(self._written, self._dropped, self._spool.pending_lines, self._failing)

    # -- the shipper's thread --------------------------------------------------------------------------------

    def _run(self) -> None:
        wait: float | None = self._interval or None
        while True:
            self._wake.wait(wait)
            self._wake.clear()
            if self._stopped:
                return
            self._trim()
            left = self._retry_at - time.monotonic()
            if left > 0:
                wait = left
                continue
            wait = self._interval or None
            if not self._drain():
                ms = self._retry_ms
                self._retry_ms = min(self._retry_ms * 2, self._retry_max_ms)
                self._retry_at = time.monotonic() + ms / 1000
                wait = ms / 1000

    def _drain(self) -> bool:
        """Sends batches until the spool is empty (True) or Sluice fails a request (False)."""
        while not self._stopped:
            batch = self._spool.read(self._batch_size)
            with self._lock:
                progress, progress_seq = self._progress, self._progress_seq
                self._progress = {}
            if batch is None and not progress:
                return True
            lines = batch.lines if batch is not None else []
            try:
                lines = self._send(lines, progress)
            except (Unavailable, WorkerApiError) as err:
                refused = isinstance(err, WorkerApiError) and err.status in (400, 413)
                with self._lock:
                    if not refused:  # back for the retry, unless the task has reported again meanwhile
                        for key, record in progress.items():
                            self._progress.setdefault(key, record)
                if refused and batch is not None:
                    # A batch Sluice will never take (a line it cannot store): sending it again would hold up
                    # every line after it, forever.
                    self._spool.shipped(batch)
                    with self._lock:
                        self._dropped += len(lines)
                        self._changed.notify_all()
                    self._tell(f"Sluice log shipper: Sluice refused {len(lines)} log lines, dropped: {err}")
                    continue
                self._failed(err)
                return False
            if batch is not None:
                self._spool.shipped(batch)
            with self._lock:
                self._written += len(lines)
                self._progress_settled = progress_seq
                self._changed.notify_all()
            self._recovered()
            self._tell_runs()
        return True

    def _send(self, lines: list[bytes], progress: dict[tuple[str, str], ProgressRecord]) -> list[bytes]:
        """Posts the lines; when Sluice refuses runs outside this worker's task queues (403 naming them), drops
        those runs' lines, which it will never take, and posts the rest. The lines written."""
        try:
            self._post(batch_body(lines, list(progress.values())))
            return lines
        except WorkerApiError as err:
            if err.status != 403 or not err.runs:
                raise
            kept = [raw for raw in lines if _run_of(raw) not in err.runs]
            with self._lock:
                self._dropped += len(lines) - len(kept)
            self._tell(f"Sluice log shipper: dropped {len(lines) - len(kept)} log lines of runs not on this worker's task queues: {err}")
            self._post(batch_body(kept, [p for p in progress.values() if p.run_id not in err.runs]))
            return kept

    def _trim(self) -> None:
        """Past the spool's bound: drops the oldest lines, counted by run for the warning lines (_tell_runs)."""
        lost = self._spool.trim()
        if not lost:
            return
        count = sum(r.count for r in lost.values())
        with self._lock:
            self._dropped += count
            self._dropped_while_failing = self._dropped_while_failing or self._failing
            for run_id, run in lost.items():
                seen = self._drops.get(run_id)
                self._drops[run_id] = RunDrops(run.workflow_id, run.flow, run.count + (seen.count if seen else 0))
            self._changed.notify_all()
        self._tell(f"Sluice log shipper: the spool is past {self._spool.max_bytes} bytes; dropped the {count} oldest log lines.")

    def _tell_runs(self) -> None:
        """Once Sluice takes lines again: one warning line to each run that lost lines, after its spooled lines."""
        with self._lock:
            drops, self._drops = self._drops, {}
            failing, self._dropped_while_failing = self._dropped_while_failing, False
        why = "Sluice was unreachable" if failing else "the log shipper could not keep up"
        for run_id, run in drops.items():
            message = f"{run.count} log lines of this run were dropped: {why} and the worker's log spool ({self._spool.max_bytes} bytes) was full"
            fields = fields_text({"droppedLines": run.count, "spoolBytes": self._spool.max_bytes})
            self.push(line_json(time.time_ns() // 1_000_000, "warn", message, fields, run_suffix(run.workflow_id, run_id, run.flow, None, None, None)))

    def _failed(self, err: BaseException) -> None:
        with self._lock:
            if not self._failing:
                self._failing = True
                self._failing_since = time.monotonic()
            warned, self._warned = self._warned, True
        if not warned:
            self._tell(f"Sluice log shipper: cannot write log lines to Sluice ({err}); keeping them in the spool at {self._spool.root} and retrying.")

    def _recovered(self) -> None:
        self._retry_ms = FIRST_RETRY_MS
        with self._lock:
            if not self._failing:
                return
            self._failing = False
            self._warned = False
            seconds = time.monotonic() - self._failing_since
        self._tell(f"Sluice log shipper: Sluice takes log lines again after {seconds:.1f} s; sending the spooled lines.")

    def _tell(self, message: str) -> None:
        try:
            self._warn(message)
        except Exception:
            pass  # a broken warn callback must not stop the shipping


def _run_of(raw: bytes) -> str | None:
    try:
        return str(json.loads(raw)["runId"])
    except (ValueError, KeyError, TypeError):
        return None
