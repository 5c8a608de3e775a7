"""`python -m sluice worker MODULE [--task-queue QUEUE]`: serves a module's tasks (see sluice.worker).
`python -m sluice healthcheck [--task-queue QUEUE]`: whether this host's worker polls its queue (sluice.healthcheck)."""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sluice", description="Sluice's Python side.")
    commands = parser.add_subparsers(dest="command", required=True)
    worker = commands.add_parser(
        "worker",
        help="serve a module's @task functions on a task queue",
        description="Serves the @task functions of MODULE (an import name or a .py file) on a task queue. "
        "Settings as the TypeScript worker: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, SLUICE_TASK_QUEUE, "
        "SLUICE_URL and SLUICE_WORKER_TOKEN (the web app and this worker's token), SLUICE_SPOOL_DIR, SLUICE_SPOOL_MAX_BYTES, "
        "SLUICE_SHUTDOWN_GRACE, SLUICE_LOG_ECHO, SLUICE_HEALTH_FILE.",
    )
    worker.add_argument("module", help="e.g. hydrology or python/examples/hydrology.py")
    worker.add_argument("--task-queue", help="the queue it polls (default $SLUICE_TASK_QUEUE); not the flows' queue")
    health = commands.add_parser(
        "healthcheck",
        help="exit 0 when a worker of this host polls its task queue (a container's healthcheck)",
        description="With SLUICE_HEALTH_FILE set, reads the health report the worker writes there (healthy: ok and at "
        "most 60 s old). Without it, asks Temporal whether a Python worker of this host (container) polls the task "
        "queue. Settings: SLUICE_HEALTH_FILE, or TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, SLUICE_TASK_QUEUE.",
    )
    health.add_argument("--task-queue", help="the queue the worker polls (default $SLUICE_TASK_QUEUE)")
    args = parser.parse_args(argv)
    if args.command == "healthcheck":
        from .healthcheck import Unhealthy, check

        code = 0
        try:
            check(args.task_queue)
        except Unhealthy as err:
            print(f"worker healthcheck: {err}", file=sys.__stderr__, flush=True)
            code = 1
        if argv is None:
            # Run as the program: the Temporal client's native runtime keeps threads that can call into Python
            # while the interpreter finalizes, which aborts the process (1 run in 10 here: "PyGILState_Release
            # ... finalizing", exit 134), and a container whose worker is fine is counted unhealthy. Nothing is
            # left to clean up: skip finalization.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        return code
    # Imported here: the healthcheck, run every 30 s, must not load temporalio when it only reads a report.
    import asyncio

    from .worker import WorkerError, config_from_env, run_worker

    try:
        config = config_from_env(args.module, args.task_queue)
        asyncio.run(run_worker(config, lambda line: print(line, file=sys.__stdout__, flush=True)))
    except WorkerError as err:
        print(f"sluice worker: {err}", file=sys.__stderr__, flush=True)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
