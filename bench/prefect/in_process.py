"""Calls a comparison flow in this process (no deployment, no runner) and prints, as JSON, how long each call
took from call to result. The first call warms up (imports, API client) and is not timed.
Usage: python in_process.py FLOW N REPS"""
import json
import sys
import time

import prefect_flows

name, n, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fn = getattr(prefect_flows, name)
fn(n=min(n, 5))
timings = []
for _ in range(reps):
    t0 = time.perf_counter()
    fn(n=n)
    timings.append((time.perf_counter() - t0) * 1000)
print(json.dumps({"ms": timings}))
