"""The Python LogShipper sends the spool's lines to Sluice as TypeScript's does to the store
(test/store/log-shipper*.test.ts): in order, in batches, an outage ridden out with the lines on disk, a bound that
drops the oldest lines and tells each affected run, and what Sluice did not take left for the next worker."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path
from typing import Any

from sluice.log_shipper import LogShipper
from sluice.spool import Spool
from sluice.wire import ProgressRecord, line_json, run_suffix
from sluice.worker_api import Unavailable, WorkerApiError


def line(i: int, run: str = "run-1") -> str:
    return line_json(1_000 + i, "info", f"line {i:02d}", None, run_suffix(f"wf-{run}", run, "flow", "task", "1", 1))


class Sluice:
    """POST /api/worker/v1/logs as the shipper calls it (WorkerApi.post_logs): down raises as an outage does."""

    def __init__(self) -> None:
        self.batches: list[dict[str, Any]] = []
        self.down = False
        self.refuse: int | None = None
        self.calls = 0
        self.lock = threading.Lock()

    def post(self, body: bytes) -> int:
        with self.lock:
            self.calls += 1
            if self.down:
                raise Unavailable("cannot reach Sluice at http://web:3000: connection refused")
            if self.refuse:
                status, self.refuse = self.refuse, None
                raise WorkerApiError("Sluice refused POST /api/worker/v1/logs (400 bad_request): lines[0].level", status)
            batch = json.loads(body)
            self.batches.append(batch)
            return len(batch["lines"])

    def lines(self) -> list[dict[str, Any]]:
        return [x for b in self.batches for x in b["lines"]]

    def messages(self) -> list[str]:
        return [x["message"] for x in self.lines()]


def wait_until(check, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def shipper_on(tmp_path: Path, sluice: Sluice, max_bytes: int | None = None, **options: Any) -> LogShipper:
    spool = Spool(tmp_path, **({"max_bytes": max_bytes, "segment_bytes": max_bytes // 4} if max_bytes else {}))
    return LogShipper(spool, sluice.post, **options)


def test_sends_in_order_in_batches_of_at_most_batch_size(tmp_path: Path) -> None:
    sluice = Sluice()
    shipper = shipper_on(tmp_path, sluice, batch_size=100, flush_interval_ms=10_000)
    for i in range(250):
        shipper.push(line(i))
    assert shipper.flush(5)
    assert sluice.messages() == [f"line {i:02d}" for i in range(250)]
    assert max(len(b["lines"]) for b in sluice.batches) <= 100
    assert shipper.close() == (250, 0, 0)


def report(done: int, activity: str = "1") -> ProgressRecord:
    return ProgressRecord(1_000 + done, "wf-1", "run-1", "task", activity, 1, done, 100, f"{done} of 100")


def test_progress_keeps_the_latest_report_per_task_and_goes_with_the_lines(tmp_path: Path) -> None:
    sluice = Sluice()
    shipper = shipper_on(tmp_path, sluice, flush_interval_ms=10_000)
    shipper.push(line(1))
    for done in range(1, 50_001):
        shipper.progress(report(done % 100))
    shipper.progress(report(7, activity="2"))
    shipper.progress(ProgressRecord(1, "wf-1", "run-1", "task", "3", 1, float("nan"), 100))
    assert shipper.flush(5)
    assert sluice.messages() == ["line 01"], "progress never takes a line's place"
    assert [[(p["activityId"], p["done"]) for p in b["progress"]] for b in sluice.batches] == [[("1", 0), ("2", 7)]], "no NaN on the wire"
    shipper.progress(report(8, activity="2"))
    assert shipper.flush(5), "flush waits for progress alone too"
    assert sluice.batches[-1] == {"lines": [], "progress": [{**sluice.batches[-1]["progress"][0], "done": 8}]}
    shipper.close()


def test_an_outage_keeps_the_lines_in_the_spool_and_loses_nothing(tmp_path: Path) -> None:
    sluice = Sluice()
    sluice.down = True
    warnings: list[str] = []
    shipper = shipper_on(tmp_path, sluice, flush_interval_ms=5, retry_max_ms=50, warn=warnings.append)
    shipper.progress(report(1))
    for i in range(5):
        shipper.push(line(i))
    wait_until(lambda: sluice.calls >= 3)
    assert shipper.stats.failing and shipper.stats.pending == 5
    shipper.progress(report(2))
    sluice.down = False
    assert shipper.flush(5)
    assert sluice.messages() == [f"line {i:02d}" for i in range(5)]
    assert [p["done"] for b in sluice.batches for p in b.get("progress", [])] == [2], "the newer report wins over the retried one"
    assert not shipper.stats.failing
    assert len(warnings) == 2, warnings
    assert warnings[0] == (
        "Sluice log shipper: cannot write log lines to Sluice (cannot reach Sluice at http://web:3000: connection refused); "
        f"keeping them in the spool at {tmp_path} and retrying."
    )
    assert re.fullmatch(r"Sluice log shipper: Sluice takes log lines again after \d+\.\d s; sending the spooled lines\.", warnings[1])
    shipper.close()


def test_a_batch_sluice_refuses_is_dropped_with_a_warning_and_the_next_lines_go(tmp_path: Path) -> None:
    sluice = Sluice()
    sluice.refuse = 400
    warnings: list[str] = []
    shipper = shipper_on(tmp_path, sluice, flush_interval_ms=10_000, warn=warnings.append)
    shipper.push(line(1))
    assert shipper.flush(5)
    shipper.push(line(2))
    assert shipper.flush(5)
    assert sluice.messages() == ["line 02"]
    assert shipper.stats.dropped == 1
    assert warnings == ["Sluice log shipper: Sluice refused 1 log lines, dropped: Sluice refused POST /api/worker/v1/logs (400 bad_request): lines[0].level"]
    shipper.close()


def test_past_the_spool_s_bound_the_oldest_go_and_each_run_is_told_once_sluice_is_back(tmp_path: Path) -> None:
    sluice = Sluice()
    sluice.down = True
    warnings: list[str] = []
    size = len(line(10).encode()) + 1
    shipper = shipper_on(tmp_path, sluice, max_bytes=size * 40, flush_interval_ms=5, retry_max_ms=50, warn=warnings.append)
    shipper.progress(report(1))
    wait_until(lambda: shipper.stats.failing)
    for i in range(10, 90):
        shipper.push(line(i, run="run-a" if i < 30 else "run-b"))
    wait_until(lambda: shipper.stats.dropped >= 40)
    sluice.down = False
    assert shipper.flush(5)
    kept = [m for m in sluice.messages() if m.startswith("line")]
    assert kept == [f"line {i}" for i in range(90 - len(kept), 90)], "the newest lines, in order"
    assert len(kept) >= 30
    notices = {x["runId"]: x for x in sluice.lines() if x["level"] == "warn"}
    dropped = {"run-a": 20, "run-b": 80 - 20 - len(kept)}
    assert set(notices) == {r for r, n in dropped.items() if n}
    for run_id, notice in notices.items():
        n = dropped[run_id]
        assert notice["message"] == f"{n} log lines of this run were dropped: Sluice was unreachable and the worker's log spool ({size * 40} bytes) was full"
        assert json.loads(notice["fieldsText"]) == {"droppedLines": n, "spoolBytes": size * 40}
        assert (notice["workflowId"], notice["flow"], notice["task"]) == (f"wf-{run_id}", "flow", None)
    assert sum("dropped the" in w for w in warnings) >= 1
    shipper.close()


def test_what_sluice_did_not_take_by_close_is_sent_by_the_next_worker(tmp_path: Path) -> None:
    sluice = Sluice()
    sluice.down = True
    shipper = shipper_on(tmp_path, sluice, flush_interval_ms=5, warn=lambda m: None)
    shipper.push(line(1))
    shipper.push(line(2))
    started = time.monotonic()
    assert shipper.close(0.3) == (0, 0, 2)
    assert time.monotonic() - started < 2
    sluice.down = False
    spool = Spool(tmp_path)
    assert spool.adopt_orphans() == 2
    nxt = LogShipper(spool, sluice.post, flush_interval_ms=5)
    assert nxt.flush(5)
    assert sluice.messages() == ["line 01", "line 02"]
    nxt.close()


def test_push_never_raises(tmp_path: Path) -> None:
    warnings: list[str] = []
    shipper = shipper_on(tmp_path, Sluice(), warn=warnings.append)
    shipper.close()
    shipper.push(line(1))  # the spool is closed
    assert shipper.stats.dropped == 1
    assert warnings == [f"Sluice log shipper: cannot write to the spool at {tmp_path} (the spool is closed); dropping log lines."]


def test_lines_of_runs_outside_the_token_s_queues_are_dropped_and_the_rest_sent(tmp_path: Path, sluice_api) -> None:
    from conftest import TOKEN

    from sluice.worker_api import WorkerApi

    sluice_api.runs = {("wf-run-1", "run-1")}
    warnings: list[str] = []
    shipper = LogShipper(Spool(tmp_path), WorkerApi(sluice_api.url, TOKEN).post_logs, flush_interval_ms=10_000, warn=warnings.append)
    for i in range(4):
        shipper.push(line(i, run="run-1" if i % 2 else "elsewhere"))
    assert shipper.flush(5)
    assert [x["message"] for x in sluice_api.lines()] == ["line 01", "line 03"]
    assert shipper.close() == (2, 2, 0)
    assert warnings == [
        f"Sluice log shipper: dropped 2 log lines of runs not on this worker's task queues: Sluice at {sluice_api.url} refused POST "
        "/api/worker/v1/logs (403 forbidden): runs outside the token's task queues (the worker token is not scoped to this task queue)"
    ]
