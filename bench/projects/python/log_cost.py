"""µs per `log.info` in a Python task (bench/python.ts): a real task attempt (temporalio's ActivityEnvironment)
logging N lines with two fields into the real shipper (its spool in argv[1], sent gzipped over HTTP by the worker
API's client to a receiver in this process that answers as POST /api/worker/v1/logs), against the same loop
building the same messages without logging. Timed in CPU time of the task's thread (what a line costs the task, and a figure
other processes on a shared machine barely move) and of the whole process (the shipper's writing included).
Prints one JSON line."""

import gzip
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from temporalio.testing import ActivityEnvironment

from sluice import log, task
from sluice.log_shipper import LogShipper
from sluice.spool import Spool
from sluice.task import declared_task, set_log_destination
from sluice.worker_api import WorkerApi

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


class Logs(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        lines = json.loads(gzip.decompress(self.rfile.read(int(self.headers["Content-Length"]))))["lines"]
        body = json.dumps({"written": len(lines)}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


receiver = ThreadingHTTPServer(("127.0.0.1", 0), Logs)
threading.Thread(target=receiver.serve_forever, daemon=True).start()
shipper = LogShipper(Spool(sys.argv[1]), WorkerApi(f"http://127.0.0.1:{receiver.server_address[1]}", "bench").post_logs)
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
