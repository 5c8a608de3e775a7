"""The Python LogShipper behaves as TypeScript's (test/store/log-shipper*.test.ts): batches in order, a bounded
buffer that drops the oldest lines and tells each affected run, and an outage ridden out with the same batch."""

from __future__ import annotations

import threading
import time

from sluice.log_rows import LogRecord, ProgressRecord
from sluice.log_shipper import LogShipper


def line(i: int, run: str = "run-1") -> LogRecord:
    return LogRecord(1_000 + i, "info", f"line {i}", None, "wf-1", run, "flow", "task", "1", 1)


class Sink:
    def __init__(self) -> None:
        self.batches: list[list[LogRecord]] = []
        self.progress: list[list[ProgressRecord]] = []
        self.down = False
        self.gate: threading.Event | None = None
        self.calls = 0

    def insert_logs(self, records: list[LogRecord], progress: list[ProgressRecord] | None = None) -> None:
        self.calls += 1
        if self.gate is not None:
            self.gate.wait(5)
        if self.down:
            raise ConnectionError("connection refused")
        self.batches.append(list(records))
        self.progress.append(list(progress or []))

    def messages(self) -> list[str]:
        return [r.message for b in self.batches for r in b]


def wait_until(check, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_writes_in_order_in_batches_of_at_most_batch_size() -> None:
    sink = Sink()
    shipper = LogShipper(sink, batch_size=100, flush_interval_ms=10_000)
    for i in range(250):
        shipper.push(line(i))
    assert shipper.flush(5)
    assert sink.messages() == [f"line {i}" for i in range(250)]
    assert max(len(b) for b in sink.batches) <= 100
    assert shipper.close() == (250, 0, 0)


def report(done: int, activity: str = "1") -> ProgressRecord:
    return ProgressRecord(1_000 + done, "wf-1", "run-1", "task", activity, 1, done, 100, f"{done} of 100")


def test_progress_keeps_the_latest_report_per_task_and_goes_with_the_lines() -> None:
    sink = Sink()
    shipper = LogShipper(sink, flush_interval_ms=10_000)
    shipper.push(line(1))
    for done in range(1, 50_001):
        shipper.progress(report(done % 100))
    shipper.progress(report(7, activity="2"))
    assert shipper.flush(5)
    assert sink.messages() == ["line 1"], "progress never takes a line's place in the buffer"
    assert [[(p.activity_id, p.done) for p in batch] for batch in sink.progress] == [[("1", 0), ("2", 7)]]
    shipper.progress(report(8, activity="2"))
    assert shipper.flush(5), "flush waits for progress alone too"
    assert [(p.activity_id, p.done) for p in sink.progress[-1]] == [("2", 8)]
    assert sink.batches[-1] == []
    shipper.close()


def test_progress_survives_an_outage_and_a_newer_report_wins_over_the_retried_one() -> None:
    sink = Sink()
    sink.down = True
    shipper = LogShipper(sink, flush_interval_ms=10, retry_max_ms=50)
    shipper.progress(report(1))
    shipper.progress(report(5, activity="2"))
    wait_until(lambda: sink.calls >= 2)
    shipper.progress(report(2))
    sink.down = False
    assert shipper.flush(5)
    written = {p.activity_id: p.done for batch in sink.progress for p in batch}
    assert written == {"1": 2, "2": 5}
    assert [p.done for batch in sink.progress for p in batch if p.activity_id == "1"] == [2], "the stale report is not written after the newer one"
    shipper.close()


def test_a_line_waits_at_most_the_flush_interval() -> None:
    sink = Sink()
    shipper = LogShipper(sink, flush_interval_ms=50)
    shipper.push(line(1))
    wait_until(lambda: sink.messages() == ["line 1"], 2)
    shipper.close()


def test_full_buffer_drops_oldest_and_tells_each_run_once_the_store_is_back() -> None:
    sink = Sink()
    sink.down = True
    warnings: list[str] = []
    shipper = LogShipper(sink, capacity=10, flush_interval_ms=5, retry_max_ms=100, warn=warnings.append)
    for i in range(15):
        shipper.push(line(i, run="run-a" if i < 8 else "run-b"))
    wait_until(lambda: sink.calls >= 1)
    for i in range(15, 20):
        shipper.push(line(i, run="run-b"))
    assert shipper.stats.pending == 10
    sink.down = False
    assert shipper.flush(5)
    written = sink.messages()
    # The newest ten lines survive, in order, after the notices.
    assert [m for m in written if m.startswith("line")] == [f"line {i}" for i in range(10, 20)]
    notices = [r for b in sink.batches for r in b if r.level == "warn"]
    assert {(r.run_id, r.message) for r in notices} == {
        ("run-a", "8 log lines of this run were dropped: the log store was unreachable and the buffer (10 lines) was full"),
        ("run-b", "2 log lines of this run were dropped: the log store was unreachable and the buffer (10 lines) was full"),
    }
    assert all(r.fields_text == '{"droppedLines":%d,"bufferCapacity":10}' % (8 if r.run_id == "run-a" else 2) for r in notices)
    assert any("cannot write to the log store (connection refused)" in w for w in warnings)
    assert sum("is full" in w for w in warnings) == 1
    assert any("writable again" in w for w in warnings)
    assert shipper.stats.dropped == 10
    shipper.close()


def test_byte_bound_counts_two_bytes_a_character() -> None:
    sink = Sink()
    sink.down = True
    shipper = LogShipper(sink, capacity_bytes=3 * (2 * (1000 + 4 + 5) + 200), flush_interval_ms=10_000)
    for i in range(5):
        shipper.push(LogRecord(i, "info", "x" * 1000, None, "wf-1", "run-1"))
    assert shipper.stats.pending == 3
    assert shipper.stats.dropped == 2
    shipper.close(0.1)


def test_outage_retries_the_same_batch_and_loses_nothing() -> None:
    sink = Sink()
    sink.down = True
    shipper = LogShipper(sink, flush_interval_ms=5, retry_max_ms=50, warn=lambda m: None)
    for i in range(5):
        shipper.push(line(i))
    wait_until(lambda: sink.calls >= 3)
    assert shipper.stats.failing
    sink.down = False
    assert shipper.flush(5)
    assert sink.messages() == [f"line {i}" for i in range(5)]
    assert not shipper.stats.failing
    shipper.close()


def test_close_gives_up_after_its_timeout_and_drops_later_lines() -> None:
    sink = Sink()
    sink.down = True
    warnings: list[str] = []
    shipper = LogShipper(sink, flush_interval_ms=5, warn=warnings.append)
    shipper.push(line(1))
    started = time.monotonic()
    assert shipper.close(0.3) == (0, 0, 1)
    assert time.monotonic() - started < 2
    shipper.push(line(2, run="late"))
    assert shipper.stats.dropped == 1
    assert any("arrived after close()" in w and "late" in w for w in warnings)


def test_push_never_raises() -> None:
    shipper = LogShipper(Sink())
    shipper.push(None)  # type: ignore[arg-type]
    shipper.close()
