"""`python -m sluice worker MODULE [--task-queue QUEUE]`: serves a module's tasks (see sluice.worker)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from .worker import WorkerError, config_from_env, run_worker


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sluice", description="Sluice's Python side.")
    commands = parser.add_subparsers(dest="command", required=True)
    worker = commands.add_parser(
        "worker",
        help="serve a module's @task functions on a task queue",
        description="Serves the @task functions of MODULE (an import name or a .py file) on a task queue. "
        "Settings as the TypeScript worker: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, SLUICE_TASK_QUEUE, "
        "DATABASE_URL or SLUICE_DATA_DIR, SLUICE_SHUTDOWN_GRACE, SLUICE_LOG_ECHO.",
    )
    worker.add_argument("module", help="e.g. hydrology or python/examples/hydrology.py")
    worker.add_argument("--task-queue", help="the queue it polls (default $SLUICE_TASK_QUEUE); not the flows' queue")
    args = parser.parse_args(argv)
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
