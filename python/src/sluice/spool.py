"""The worker's log spool (SLUICE_SPOOL_DIR/<task queue>, default ./data/spool/…): every line a task logs is
appended to a file here, and the file is fsync'd before the task's result goes to Temporal (sluice.worker's interceptor calls
`sync`), so a line a completed task wrote survives whatever kills the worker. The shipper (sluice.log_shipper)
sends the lines from here to Sluice and deletes what was written.

Layout, as the TypeScript worker's spool (sdk/src/worker/log-spool.ts): one folder per worker process,
`<start ms>-<host>-<pid>/`, holding segments `00000001.log`, … of one JSON line each (the worker API's log line,
sluice.wire.line_json, UTF-8), oldest first, and `ack`: "<segment> <offset>", up to where Sluice has the lines
(a crash between a write and the ack's update sends those lines again). Where TypeScript writes `owner.json`, a
Python worker keeps a `lock` file locked (flock) while it runs: a folder whose lock nobody holds is a dead
worker's, certainly (the kernel lets go of a dead process's locks), and the next worker on the same spool takes
it over and ships it first. (A spool shared by hosts over a network file system is not supported.)

Bounded by `max_bytes` (SLUICE_SPOOL_MAX_BYTES, default 256 MiB) of unshipped lines: beyond it the oldest
segment is dropped whole, and the shipper writes one warning line to each run that lost lines."""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
SUFFIX = ".log"
ACK_FILE = "ack"


@dataclass
class _Segment:
    path: Path
    offset: int  # bytes already written to Sluice
    size: int  # bytes in the file (for the active segment: as far as appended)
    lines: int  # lines not yet shipped
    active: bool = False


@dataclass
class Batch:
    """Lines read from the spool, to be marked `shipped` once Sluice has them."""

    lines: list[bytes]
    segment: _Segment = field(repr=False)
    end: int


@dataclass(frozen=True)
class RunDrops:
    workflow_id: str
    flow: str | None
    count: int


class Spool:
    """Thread-safe appends (tasks log from their threads and the event loop); one reader, the shipper's thread.

    >>> spool = Spool("./data/spool")
    >>> spool.append(b'{"time":...}')
    >>> spool.sync()          # before the task's result goes to Temporal
    """

    def __init__(self, directory: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES, segment_bytes: int | None = None) -> None:
        if not isinstance(max_bytes, int) or max_bytes < 1:
            raise ValueError(f"the spool's bound must be a whole number of bytes of at least 1, got {max_bytes!r}")
        self.root = Path(directory)
        self.max_bytes = max_bytes
        self._segment_bytes = segment_bytes or max(64 * 1024, min(8 * 1024 * 1024, max_bytes // 8))
        self.root.mkdir(parents=True, exist_ok=True)
        self._dir = self.root / f"{time.time_ns() // 1_000_000}-{socket.gethostname()}-{os.getpid()}"
        self._dir.mkdir()
        self._locks: dict[Path, int] = {self._dir: _lock(self._dir)}  # type: ignore[dict-item]
        self._mutex = threading.Lock()
        self._segments: list[_Segment] = []
        self._seq = 0
        self._file: BinaryIO | None = None
        self._bytes = 0  # unshipped bytes in all segments
        self._lines = 0  # unshipped lines in all segments
        self._synced_file: BinaryIO | None = None
        self._open_segment()

    # -- the writers' side -----------------------------------------------------------------------------------

    def append(self, line: bytes) -> bool:
        """Appends one line (no newline in it); True when the spool is past its bound (the shipper should trim)."""
        data = line + b"\n"
        with self._mutex:
            file = self._file
            if file is None:
                raise ValueError("the spool is closed")
            file.write(data)
            active = self._segments[-1]
            active.size += len(data)
            active.lines += 1
            self._bytes += len(data)
            self._lines += 1
            if active.size >= self._segment_bytes:
                self._rotate()
            return self._bytes > self.max_bytes

    def sync(self) -> None:
        """Makes every line appended so far durable (fsync). Called before a task's result goes to Temporal."""
        with self._mutex:
            if self._file is None:
                return
            self._file.flush()
            fd = os.dup(self._file.fileno())  # fsync outside the lock: other tasks keep logging meanwhile
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _open_segment(self) -> None:
        self._seq += 1
        path = self._dir / f"{self._seq:08d}{SUFFIX}"
        self._file = open(path, "ab", buffering=64 * 1024)  # noqa: SIM115 - kept open until rotated or closed
        self._segments.append(_Segment(path, 0, 0, 0, active=True))

    def _rotate(self) -> None:
        """(inside the lock) Closes the active segment, durable, and starts the next."""
        assert self._file is not None
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._segments[-1].active = False
        self._open_segment()

    # -- the shipper's side ----------------------------------------------------------------------------------

    @property
    def pending_bytes(self) -> int:
        return self._bytes

    @property
    def pending_lines(self) -> int:
        return self._lines

    def read(self, max_lines: int = 5_000, max_bytes: int = 1024 * 1024) -> Batch | None:
        """The oldest unshipped lines, whole lines only, at most `max_lines` (and about `max_bytes`); None when
        everything is shipped. Segments fully shipped are deleted on the way."""
        while True:
            with self._mutex:
                if not self._segments:
                    return None
                segment = self._segments[0]
                if segment.active:
                    if segment.offset >= segment.size:
                        return None
                    assert self._file is not None
                    self._file.flush()  # the reader sees what the writers buffered
                end_known = segment.size
            if segment.offset >= end_known and not segment.active:
                self._forget(segment)
                continue
            with open(segment.path, "rb") as f:
                f.seek(segment.offset)
                data = f.read(min(max_bytes, end_known - segment.offset))
                while b"\n" not in data and segment.offset + len(data) < end_known:
                    more = f.read(max_bytes)  # one line longer than max_bytes: read it whole
                    if not more:
                        break
                    data += more
            cut = data.rfind(b"\n")
            if cut < 0:
                if segment.active:
                    return None
                # A torn last line (the worker died while writing it): no task completed after it.
                self._forget(segment)
                continue
            lines = data[:cut].split(b"\n")
            if len(lines) > max_lines:
                lines = lines[:max_lines]
                cut = sum(len(x) + 1 for x in lines) - 1
            return Batch(lines, segment, segment.offset + cut + 1)

    def shipped(self, batch: Batch) -> None:
        """Marks a batch written to Sluice: its bytes leave the bound, the segment goes once all of it is written."""
        segment = batch.segment
        with self._mutex:
            if segment not in self._segments:
                return  # dropped (trimmed) meanwhile
            self._bytes -= batch.end - segment.offset
            self._lines -= len(batch.lines)
            segment.offset = batch.end
            segment.lines -= len(batch.lines)
            done = segment.offset >= segment.size and not segment.active
        if done:
            self._forget(segment)
        else:
            _write_ack(segment)

    def trim(self) -> dict[str, RunDrops]:
        """Drops the oldest segments while the spool is past its bound; the lines lost, counted by run."""
        lost: dict[str, RunDrops] = {}
        while True:
            with self._mutex:
                if self._bytes <= self.max_bytes or not self._segments:
                    return lost
                if self._segments[0].active:
                    self._rotate()
                segment = self._segments[0]
            for run_id, drops in _runs_in(segment).items():
                seen = lost.get(run_id)
                lost[run_id] = RunDrops(drops.workflow_id, drops.flow, drops.count + (seen.count if seen else 0))
            self._forget(segment)

    def adopt_orphans(self) -> int:
        """Takes over the spools of dead workers (folders whose lock nobody holds), to be shipped before this
        worker's own lines; the number of lines taken over."""
        taken: list[_Segment] = []
        for folder in sorted(p for p in self.root.iterdir() if p.is_dir() and p != self._dir):
            fd = _lock(folder, wait=False)
            if fd is None:
                continue  # a live worker's
            self._locks[folder] = fd
            acked = _read_ack(folder)
            for path in sorted(folder.glob(f"*{SUFFIX}")):
                size = path.stat().st_size
                seq = _seq_of(path)
                if seq is None or seq < acked[0]:
                    path.unlink(missing_ok=True)  # all of it in Sluice already
                    continue
                offset = min(acked[1], size) if seq == acked[0] else 0
                taken.append(_Segment(path, offset, size, _count_lines(path, offset)))
            if not any(s.path.parent == folder for s in taken):
                self._remove_folder(folder)
        with self._mutex:
            self._segments[:0] = taken
            self._bytes += sum(s.size - s.offset for s in taken)
            self._lines += sum(s.lines for s in taken)
        return sum(s.lines for s in taken)

    def close(self) -> None:
        """Makes the lines durable and lets go of the spool; this worker's folder goes if nothing is left in it."""
        with self._mutex:
            if self._file is None:
                return
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._file = None
            for segment in self._segments:
                segment.active = False
            left = {s.path.parent for s in self._segments if s.offset < s.size}
        for folder in list(self._locks):
            if folder in left:
                os.close(self._locks.pop(folder))  # the next worker takes it over
            else:
                self._remove_folder(folder)

    # -- inside -----------------------------------------------------------------------------------------------

    def _forget(self, segment: _Segment) -> None:
        """Deletes a segment that is shipped, dropped or torn (never the active one)."""
        with self._mutex:
            if segment in self._segments:
                self._segments.remove(segment)
                self._bytes -= segment.size - segment.offset
                self._lines -= segment.lines
            folder = segment.path.parent
            others = any(s.path.parent == folder for s in self._segments)
        segment.path.unlink(missing_ok=True)
        if folder != self._dir and not others:
            self._remove_folder(folder)

    def _remove_folder(self, folder: Path) -> None:
        for path in folder.iterdir():
            if path.name != "lock":
                path.unlink(missing_ok=True)
        (folder / "lock").unlink(missing_ok=True)
        fd = self._locks.pop(folder, None)
        if fd is not None:
            os.close(fd)
        try:
            folder.rmdir()
        except OSError:
            pass


def _lock(folder: Path, wait: bool = True) -> int | None:
    fd = os.open(folder / "lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def _seq_of(path: Path) -> int | None:
    try:
        return int(path.name.removesuffix(SUFFIX))
    except ValueError:
        return None


def _write_ack(segment: _Segment) -> None:
    try:
        (segment.path.parent / ACK_FILE).write_text(f"{_seq_of(segment.path)} {segment.offset}\n")
    except OSError:
        pass  # only saves sending lines twice


def _read_ack(folder: Path) -> tuple[int, int]:
    try:
        seq, offset = map(int, (folder / ACK_FILE).read_text().split())
        return seq, offset
    except (OSError, ValueError):
        return 0, 0


def _count_lines(path: Path, offset: int) -> int:
    with open(path, "rb") as f:
        f.seek(offset)
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1024 * 1024), b""))


def _lines_of(segment: _Segment) -> Iterator[bytes]:
    with open(segment.path, "rb") as f:
        f.seek(segment.offset)
        for raw in f:
            if raw.endswith(b"\n"):
                yield raw


def _runs_in(segment: _Segment) -> dict[str, RunDrops]:
    """The unshipped lines of a segment counted by run (read only when a segment is dropped)."""
    counts: Counter[str] = Counter()
    first: dict[str, Any] = {}
    for raw in _lines_of(segment):
        try:
            line = json.loads(raw)
            run_id = str(line["runId"])
        except (ValueError, KeyError, TypeError):
            continue
        counts[run_id] += 1
        first.setdefault(run_id, line)
    return {r: RunDrops(str(first[r].get("workflowId") or ""), first[r].get("flow"), n) for r, n in counts.items()}
