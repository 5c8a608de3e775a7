"""The log spool on a real disk: lines read back in order across segments, shipped segments deleted, a dead
worker's spool (killed with -9 after its task's lines were synced) taken over by the next worker and a live
worker's never, and the bound enforced by dropping the oldest lines, counted per run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sluice.spool import Spool
from sluice.wire import line_json, run_suffix


def line(i: int, run: str = "run-1") -> bytes:
    return line_json(1_000 + i, "info", f"line {i}", None, run_suffix(f"wf-{run}", run, "flow", "task", "1", 1)).encode()


def drain(spool: Spool, max_lines: int = 7) -> list[str]:
    messages: list[str] = []
    while (batch := spool.read(max_lines)) is not None:
        messages += [json.loads(raw)["message"] for raw in batch.lines]
        spool.shipped(batch)
    return messages


def segments(root: Path) -> list[Path]:
    return sorted(root.glob("*/*.log"))


def test_lines_come_back_in_order_across_segments_and_shipped_segments_go(tmp_path: Path) -> None:
    spool = Spool(tmp_path, segment_bytes=1_000)
    for i in range(100):
        spool.append(line(i))
    assert len(segments(tmp_path)) > 5, "rotated"
    assert spool.pending_lines == 100
    assert drain(spool) == [f"line {i}" for i in range(100)]
    assert spool.pending_lines == 0 and spool.pending_bytes == 0
    assert len(segments(tmp_path)) == 1, "only the segment being written is left"
    spool.close()
    assert list(tmp_path.iterdir()) == [], "a worker that shipped everything leaves nothing behind"


PRODUCER = """
import os, sys
sys.path.insert(0, {src!r})
from sluice.spool import Spool
from sluice.wire import line_json, run_suffix
spool = Spool({root!r}, segment_bytes=2_000)
for i in range(50):
    spool.append(line_json(i, "info", f"line {{i}}", None, run_suffix("wf", "dead-run", "flow", "task", "1", 1)).encode())
spool.sync()
print("synced", flush=True)
spool.append(b'{{"time":1,"level":"info","message":"torn')  # written, never synced: may or may not be on disk
sys.stdin.readline()
"""


def test_a_dead_worker_s_synced_lines_are_taken_over_and_a_live_worker_s_are_not(tmp_path: Path) -> None:
    src = str(Path(__file__).resolve().parents[1] / "src")
    dead = subprocess.Popen([sys.executable, "-c", PRODUCER.format(src=src, root=str(tmp_path))], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert dead.stdout is not None and dead.stdout.readline() == "synced\n"
    live = Spool(tmp_path)
    live.append(line(0, "live-run"))
    live.sync()
    try:
        # The producer still holds its lock: not taken over.
        probe = Spool(tmp_path)
        assert probe.adopt_orphans() == 0
        probe.close()
        dead.kill()
        dead.wait()
        nxt = Spool(tmp_path)
        assert nxt.adopt_orphans() == 50, "the dead worker's lines, not the live worker's"
        assert drain(nxt) == [f"line {i}" for i in range(50)], "all synced lines, in order, and no torn line"
        nxt.close()
        assert [p.name for p in segments(tmp_path)] == ["00000001.log"], "the dead worker's folder is gone, the live one's is kept"
    finally:
        live.close()


def test_a_spool_half_shipped_before_the_crash_resumes_where_sluice_stopped_taking(tmp_path: Path) -> None:
    first = Spool(tmp_path)
    for i in range(10):
        first.append(line(i))
    batch = first.read(4)
    assert batch is not None
    first.shipped(batch)
    first.sync()
    # Crash: the lock goes with the process. Here: let go of it without cleaning up.
    import os

    for fd in first._locks.values():
        os.close(fd)
    nxt = Spool(tmp_path)
    assert nxt.adopt_orphans() == 6
    assert drain(nxt) == [f"line {i}" for i in range(4, 10)]


def test_past_the_bound_the_oldest_lines_go_and_are_counted_per_run(tmp_path: Path) -> None:
    size = len(line(10)) + 1  # lines 10..39: all of one size
    spool = Spool(tmp_path, max_bytes=size * 20, segment_bytes=size * 5)
    over = [spool.append(line(i, "run-a" if i < 18 else "run-b")) for i in range(10, 40)]
    assert over.index(True) == 20, "the append past the bound says so"
    lost = spool.trim()
    assert {r: d.count for r, d in lost.items()} == {"run-a": 8, "run-b": 2}
    assert lost["run-a"].workflow_id == "wf-run-a" and lost["run-a"].flow == "flow"
    assert spool.pending_bytes <= spool.max_bytes
    assert drain(spool) == [f"line {i}" for i in range(20, 40)], "the newest lines are kept, in order"
