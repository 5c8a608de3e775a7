"""The Python worker: serves the `@task` functions of one module on one task queue, with the TypeScript
worker's settings where they mean the same (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS and API key: sluice.connection,
SLUICE_TASK_QUEUE,
SLUICE_URL and SLUICE_WORKER_TOKEN, SLUICE_SPOOL_DIR, SLUICE_SHUTDOWN_GRACE, SLUICE_LOG_ECHO, SLUICE_HEALTH_FILE).
It is a client of Sluice's worker API (sluice.worker_api), never of its database. At start it checks the module's
declarations and that Sluice speaks its protocol, takes over the log spool a dead worker left, publishes its tasks
and their options to Sluice's task catalog (flows read them there), then polls until SIGTERM/SIGINT, writing its
health report meanwhile when SLUICE_HEALTH_FILE is set (sluice.health): it stops polling, lets running tasks
finish within the grace time, sends the remaining log lines and returns (what Sluice did not take stays in the
spool for the next start)."""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import os
import re
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
from .spool import DEFAULT_MAX_BYTES, Spool
from .sync_interceptor import SyncSpool
from .task import DeclaredTask, capture_prints, declared_task, set_log_destination
from .wire import VERSION
from .worker_api import Unavailable, WorkerApi, WorkerApiError, check_url

MAX_CONCURRENT_TASKS = 100  # as TypeScript's worker (maxConcurrentActivityTaskExecutions)


class WorkerError(Exception):
    """A reason the worker cannot start, in one readable message (what, where, what to do)."""


@dataclass(frozen=True)
class WorkerConfig:
    module: str
    task_queue: str
    address: str
    namespace: str
    #: The web app (SLUICE_URL) and this worker's token (SLUICE_WORKER_TOKEN, role worker).
    sluice_url: str
    worker_token: str
    shutdown_grace_ms: float
    log_echo: str
    #: Where the worker writes its health report for the healthcheck (sluice.health); None: no report.
    health_file: str | None = None
    spool_dir: str = "./data/spool"
    spool_max_bytes: int = DEFAULT_MAX_BYTES
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
    url = get("SLUICE_URL") or ""
    token = get("SLUICE_WORKER_TOKEN") or ""
    if not url or not token:
        problems.append(
            "SLUICE_URL and SLUICE_WORKER_TOKEN: the worker sends its log lines and task catalog to the Sluice web app "
            "(e.g. SLUICE_URL=http://web:3000) with a token of role worker for its task queue"
        )
    elif check_url(url):
        problems.append(check_url(url) or "")
    spool_max = DEFAULT_MAX_BYTES
    if get("SLUICE_SPOOL_MAX_BYTES"):
        try:
            spool_max = int(get("SLUICE_SPOOL_MAX_BYTES") or "")
            if spool_max < 1:
                raise ValueError
        except ValueError:
            problems.append(f"SLUICE_SPOOL_MAX_BYTES={get('SLUICE_SPOOL_MAX_BYTES')!r}: must be a whole number of bytes, for example 268435456")
    if problems:
        raise WorkerError("Invalid worker settings:\n" + "\n".join(f"  {p}" for p in problems))
    assert temporal is not None
    return WorkerConfig(
        module, queue or "", temporal.address, temporal.namespace, url, token, grace_ms, echo,
        get("SLUICE_HEALTH_FILE"), get("SLUICE_SPOOL_DIR", "./data/spool") or "./data/spool", spool_max, temporal,
    )


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


def _greet(api: WorkerApi, say: Callable[[str], None], timeout_s: float = 60.0) -> None:
    """Checks Sluice speaks this worker's protocol, waiting (a while) for it to come up: in compose both start at once."""
    deadline = time.monotonic() + timeout_s
    told = False
    delay = 0.1
    while True:
        try:
            api.hello()
            return
        except Unavailable as err:
            if time.monotonic() > deadline:
                raise WorkerError(f"{err}. Is the web app running? Set SLUICE_URL to its address.") from None
            if not told:
                say(f"waiting for Sluice: {err}")
                told = True
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
        except WorkerApiError as err:
            if err.status == 404:
                # A web app older than the worker API (sluice < 0.3.0): the Node worker's checkServer says the same.
                raise WorkerError(f"Sluice at {api.base_url} has no worker API (GET /api/worker/v1/hello: 404): upgrade the web app to sluice >= {VERSION} first") from None
            raise WorkerError(str(err)) from None


async def run_worker(config: WorkerConfig, say: Callable[[str], None] = print) -> None:
    module = load_module(config.module)
    tasks = tasks_of(module)
    api = WorkerApi(config.sluice_url, config.worker_token)
    identity = f"{os.getpid()}@{socket.gethostname()} (python)"
    try:
        await asyncio.to_thread(_greet, api, say)
        flows = await asyncio.to_thread(api.flows_on_queue, config.task_queue)
        if flows:
            raise WorkerError(
                f"Task queue {config.task_queue!r} is the flows' queue (TypeScript flows {', '.join(flows)} run on it): "
                "a Python worker needs a queue of its own, e.g. --task-queue python"
            )
        try:
            client = await connect_temporal(config.temporal or TemporalSettings(config.address, config.namespace, False), identity=identity)
        except TemporalUnreachable as err:
            raise WorkerError(str(err)) from None
        await asyncio.to_thread(api.publish_tasks, config.task_queue, {name: t.options.published() for name, t in tasks.items()}, identity)
    except (Unavailable, WorkerApiError) as err:
        raise WorkerError(str(err)) from None
    try:
        # One folder per task queue, as TypeScript's: the next worker of the queue sends what this one leaves.
        spool = Spool(Path(config.spool_dir) / re.sub(r"[^\w.-]", "_", config.task_queue), max_bytes=config.spool_max_bytes)
    except (OSError, ValueError) as err:
        raise WorkerError(f"Cannot use the log spool at {config.spool_dir} ({err}): set SLUICE_SPOOL_DIR to a writable folder.") from None
    adopted = spool.adopt_orphans()
    if adopted:
        say(f"sending {adopted} log lines a stopped worker left in {config.spool_dir}")

    shipper = LogShipper(spool, api.post_logs, warn=lambda m: print(m, file=sys.__stderr__, flush=True))
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
                interceptors=[SyncSpool(spool)],
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
        extra = (f", {dropped} dropped" if dropped else "") + (f", {pending} left in the spool for the next start" if pending else "")
        say(f"python worker stopped: {written} log lines written{extra}")
