"""µs per `log.info` in a Python task (bench/python.ts): a real task attempt (temporalio's ActivityEnvironment)
logging N lines with two fields into the real shipper writing to a store, against the same loop building the
same messages without logging. Timed in CPU time of the task's thread (what a line costs the task, and a figure
other processes on a shared machine barely move) and of the whole process (the shipper's writing included).
Prints one JSON line."""

import json
import sys
import time

from temporalio.testing import ActivityEnvironment

from sluice import log, task
from sluice.log_shipper import LogShipper
from sluice.store import open_store
from sluice.task import declared_task, set_log_destination

N = int(sys.argv[2])


@task
def chatty(n: int, logging: bool) -> float:
    t0 = time.thread_time()
    if logging:
        for i in range(n):
            log.info("reading", station="DeBilt", i=i)
    else:
        for i in range(n):
            dict(station="DeBilt", i=i)  # the same kwargs the logging loop builds
    return time.thread_time() - t0


store = open_store(sys.argv[1])
shipper = LogShipper(store)
set_log_destination(shipper.push, "error")
run = declared_task(chatty).activity  # type: ignore[union-attr]
env = ActivityEnvironment()


def timed(logging: bool) -> tuple[float, float]:
    p0 = time.process_time()
    seconds = env.run(run, N, logging)
    shipper.flush(120)  # the lines written before the next repetition: each starts with an empty buffer
    return seconds, time.process_time() - p0


timed(True)  # warm-up
bare, bare_process = min(timed(False) for _ in range(3))
logged, logged_process = min(timed(True) for _ in range(3))
written, dropped, pending = shipper.close(60)
print(json.dumps({
    "lines": N, "loggedS": logged, "bareS": bare, "usPerLine": (logged - bare) / N * 1e6,
    "processUsPerLine": (logged_process - bare_process) / N * 1e6, "written": written, "dropped": dropped,
}))
