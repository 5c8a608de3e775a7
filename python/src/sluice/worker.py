"""The Python worker: serves the `@task` functions of one module on one task queue, with the TypeScript
worker's settings where they mean the same (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS and API key: sluice.connection, SLUICE_TASK_QUEUE,
DATABASE_URL / SLUICE_DATA_DIR, SLUICE_SHUTDOWN_GRACE, SLUICE_LOG_ECHO, SLUICE_HEALTH_FILE). At start it checks
the module's declarations, publishes its tasks and their options to the store's task catalog (flows read them
there), then polls until SIGTERM/SIGINT, writing its health report meanwhile when SLUICE_HEALTH_FILE is set
(sluice.health): it stops polling, lets running tasks finish within the grace time, writes the remaining log
lines and returns."""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import os
import signal
import socket
import sys
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import ModuleType

from temporalio.worker import Worker

from .connection import TemporalSettings, TemporalSettingsError, TemporalUnreachable, connect_temporal, temporal_settings
from .durations import duration_ms
from .health import check_in
from .log_shipper import LogShipper
from .options import DeclarationError
from .store import StoreError, open_store, store_url_from_env
from .task import DeclaredTask, capture_prints, declared_task, set_log_destination

MAX_CONCURRENT_TASKS = 100  # as TypeScript's worker (maxConcurrentActivityTaskExecutions)


class WorkerError(Exception):
    """A reason the worker cannot start, in one readable message (what, where, what to do)."""


@dataclass(frozen=True)
class WorkerConfig:
    module: str
    task_queue: str
    address: str
    namespace: str
    store_url: str
    shutdown_grace_ms: float
    log_echo: str
    #: Where the worker writes its health report for the healthcheck (sluice.health); None: no report.
    health_file: str | None = None
    #: How to reach Temporal: address, namespace, TLS, API key (sluice.connection).
    temporal: TemporalSettings | None = None


def config_from_env(module: str, task_queue: str | None, env: Mapping[str, str] = os.environ) -> WorkerConfig:
    def get(name: str, default: str | None = None) -> str | None:
        value = (env.get(name) or "").strip()
        return value or default

    problems: list[str] = []
    queue = (task_queue or "").strip() or get("SLUICE_TASK_QUEUE")
    if not queue:
        problems.append("the task queue: pass --task-queue QUEUE or set SLUICE_TASK_QUEUE (a queue of its own, not the flows' queue)")
    temporal: TemporalSettings | None = None
    try:
        temporal = temporal_settings(env)
    except TemporalSettingsError as err:
        problems.extend(err.problems)
    grace_ms = 30_000.0
    try:
        grace_ms = duration_ms(get("SLUICE_SHUTDOWN_GRACE", "30s"), "SLUICE_SHUTDOWN_GRACE")
    except ValueError as err:
        problems.append(str(err))
    echo = (get("SLUICE_LOG_ECHO", "WARN") or "").upper()
    if echo not in ("TRACE", "DEBUG", "INFO", "WARN", "ERROR"):
        problems.append(f"SLUICE_LOG_ECHO={echo!r}: must be one of TRACE, DEBUG, INFO, WARN, ERROR")
    if problems:
        raise WorkerError("Invalid worker settings:\n" + "\n".join(f"  {p}" for p in problems))
    assert temporal is not None
    return WorkerConfig(module, queue or "", temporal.address, temporal.namespace, store_url_from_env(env), grace_ms, echo, get("SLUICE_HEALTH_FILE"), temporal)


def load_module(spec: str) -> ModuleType:
    """A module by import name (`hydrology.tasks`) or by file (`python/examples/hydrology.py`)."""
    try:
        if spec.endswith(".py") or os.sep in spec or "/" in spec:
            path = Path(spec).resolve()
            if not path.is_file():
                raise WorkerError(f"No such Python file: {spec}")
            sys.path.insert(0, str(path.parent))
            return importlib.import_module(path.stem)
        sys.path.insert(0, os.getcwd())
        return importlib.import_module(spec)
    except WorkerError:
        raise
    except DeclarationError as err:
        raise WorkerError(f"A task in {spec} is declared wrongly: {err}") from None
    except ModuleNotFoundError as err:
        raise WorkerError(f"Cannot import {spec}: {err}. Pass a module name on PYTHONPATH or a path to a .py file.") from None
    except Exception as err:
        raise WorkerError(f"Importing {spec} failed: {type(err).__name__}: {err}") from err


def tasks_of(module: ModuleType) -> dict[str, DeclaredTask]:
    """The module's tasks by name; refuses a module with none, or two different tasks of one name."""
    found: dict[str, DeclaredTask] = {}
    for attr in dir(module):
        declared = declared_task(getattr(module, attr))
        if declared is None:
            continue
        seen = found.get(declared.name)
        if seen is not None and seen.fn is not declared.fn:
            raise WorkerError(
                f"{module.__name__} declares two tasks named {declared.name!r} ({seen.fn.__module__} and {declared.fn.__module__}): rename one"
            )
        found[declared.name] = declared
    if not found:
        raise WorkerError(f"{module.__name__} declares no tasks: decorate its functions with @task (from sluice import task)")
    return dict(sorted(found.items()))


def _wait_for_schema(store_url: str, say: Callable[[str], None], timeout_s: float = 60.0):
    """Opens the store and waits (a while) for TypeScript's migrations: in compose both start at once."""
    store = open_store(store_url)
    deadline = time.monotonic() + timeout_s
    told = False
    while True:
        try:
            store.check_schema()
            return store
        except StoreError as err:
            if time.monotonic() > deadline:
                store.close()
                raise WorkerError(str(err)) from None
            if not told:
                say(f"waiting for the store's tables: {err}")
                told = True
            time.sleep(1)


async def run_worker(config: WorkerConfig, say: Callable[[str], None] = print) -> None:
    module = load_module(config.module)
    tasks = tasks_of(module)
    try:
        store = _wait_for_schema(config.store_url, say)
    except StoreError as err:
        raise WorkerError(str(err)) from None
    identity = f"{os.getpid()}@{socket.gethostname()} (python)"
    try:
        flows = store.flows_on_queue(config.task_queue)
        if flows:
            raise WorkerError(
                f"Task queue {config.task_queue!r} is the flows' queue (TypeScript flows {', '.join(flows)} run on it): "
                "a Python worker needs a queue of its own, e.g. --task-queue python"
            )
        try:
            client = await connect_temporal(config.temporal or TemporalSettings(config.address, config.namespace, False), identity=identity)
        except TemporalUnreachable as err:
            raise WorkerError(str(err)) from None
        store.publish_tasks(config.task_queue, {name: t.options.published() for name, t in tasks.items()}, identity)
    finally:
        store.close()

    shipper_store = open_store(config.store_url)
    shipper_store.check_schema()  # also learns whether the store keeps progress (has_progress)
    shipper = LogShipper(shipper_store, warn=lambda m: sys.__stderr__.write(f"log store: {m}\n"))  # type: ignore[union-attr]
    set_log_destination(shipper.push, config.log_echo, shipper.progress)
    capture_prints()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        with ThreadPoolExecutor(max_workers=MAX_CONCURRENT_TASKS, thread_name_prefix="sluice-task") as executor:
            worker = Worker(
                client,
                task_queue=config.task_queue,
                activities=[t.activity for t in tasks.values()],
                activity_executor=executor,
                max_concurrent_activities=MAX_CONCURRENT_TASKS,
                graceful_shutdown_timeout=timedelta(milliseconds=config.shutdown_grace_ms),
            )
            async with worker:
                say(f"python worker ready: task queue {config.task_queue}, tasks {', '.join(tasks)}")
                health = None
                if config.health_file:
                    warn = lambda m: print(f"python worker: {m}", file=sys.__stderr__, flush=True)  # noqa: E731
                    health = asyncio.create_task(check_in(client, config.namespace, config.task_queue, identity, config.health_file, warn))
                try:
                    await stop.wait()
                finally:
                    if health:
                        health.cancel()
                say("python worker stopping: running tasks may finish within the grace time")
    finally:
        written, dropped, pending = await asyncio.to_thread(shipper.close, 10.0)
        shipper_store.close()
        extra = (f", {dropped} dropped" if dropped else "") + (f", {pending} not written" if pending else "")
        say(f"python worker stopped: {written} log lines written{extra}")
