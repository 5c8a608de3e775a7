"""`@task` declares a task: a function plus its retry policy, served by `python -m sluice worker` as a Temporal
activity that TypeScript flows call with `pythonTasks()`. Inside a task, `log`, `print()`, `progress()`,
`last_progress()` and `cancelled()` behave as their TypeScript twins (sdk/src/task.ts, sdk/src/log.ts).

    from sluice import task, log, progress

    class StationUnknown(Exception): ...

    @task(retries=5, retry_delay="2s", timeout="2m", non_retryable_errors=[StationUnknown])
    def interpolate(grid: dict) -> dict:
        log.info("interpolating", cells=len(grid["values"]))
        ...
"""

from __future__ import annotations

import functools
import inspect
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, overload

from .durations import Duration
from .json_text import fields_text
from .wire import ProgressRecord, line_json, run_suffix
from .options import OPTION_NAMES, DeclarationError, TaskOptions, task_options

# temporalio is imported where it is used, not here: `python -m sluice healthcheck` imports this package (its
# __init__ imports this module) every 30 s in a container, and temporalio alone costs 0.4 s of CPU and 25 MB.
# In a worker it is loaded before any task runs, so those imports are look-ups.
if TYPE_CHECKING:
    from temporalio import activity

F = TypeVar("F", bound=Callable[..., Any])
SLUICE_TASK = "__sluice_task__"


class Progress(TypedDict, total=False):
    done: float
    total: float
    message: str


@dataclass(frozen=True)
class DeclaredTask:
    """A task as the worker serves it: its name, options, the function and the activity that runs it."""

    name: str
    options: TaskOptions
    fn: Callable[..., Any]
    activity: Callable[..., Any]
    is_async: bool


class _Running:
    """The task attempt running in this context: what every log line it writes carries."""

    __slots__ = ("workflow_id", "run_id", "flow", "task", "activity_id", "attempt", "suffix", "printed")

    def __init__(self, info: activity.Info) -> None:
        self.workflow_id = info.workflow_id or ""
        self.run_id = info.workflow_run_id or ""
        self.flow = info.workflow_type
        self.task = info.activity_type
        self.activity_id = info.activity_id
        self.attempt = info.attempt
        # What every line of the attempt ends with, encoded once: a line then costs only its own parts.
        self.suffix = run_suffix(self.workflow_id, self.run_id, self.flow, self.task, self.activity_id, self.attempt)
        self.printed: list[str] = []


_running: ContextVar[_Running | None] = ContextVar("sluice_task", default=None)

# -- where lines go: the worker's shipper, else (outside a worker: tests, a notebook) standard error ----------

_LEVEL_RANK = {"debug": 1, "info": 2, "warn": 3, "error": 4}


def _stderr_line(level: str, message: str, fields: str | None) -> None:
    extra = f" {fields}" if fields and fields != "{}" else ""
    sys.__stderr__.write(f"{level.upper():5} {message}{extra}\n")  # type: ignore[union-attr]


def _nowhere(line: str) -> None:
    pass


#: Where a task's lines go: the worker's shipper (a line of JSON, sluice.wire.line_json). Outside a worker (tests,
#: a notebook) nowhere: they are echoed to standard error instead.
_ship: Callable[[str], None] = _nowhere
_ship_progress: Callable[[ProgressRecord], None] | None = None
_echo_rank = _LEVEL_RANK["warn"]


def set_log_destination(
    ship: Callable[[str], None], echo_level: str = "warn", ship_progress: Callable[[ProgressRecord], None] | None = None
) -> None:
    """The worker routes lines (and `progress()` reports) to its shipper; lines from `echo_level` up are also
    echoed to its output."""
    global _ship, _ship_progress, _echo_rank
    _ship = ship
    _ship_progress = ship_progress
    _echo_rank = _LEVEL_RANK.get(echo_level.lower().replace("warning", "warn").replace("trace", "debug"), 3)


def _write(level: str, message: object, fields: dict[str, Any] | None) -> None:
    running = _running.get()
    text = message if type(message) is str else str(message)
    if "\0" in text:
        text = text.replace("\0", "\ufffd")  # as TypeScript's log rows: PostgreSQL text cannot hold NUL
    as_text = fields_text(fields) if fields else None
    if running is None:
        _stderr_line(level, text, as_text)
        return
    _ship(line_json(time.time_ns() // 1_000_000, level, text, as_text, running.suffix))
    if _LEVEL_RANK[level] >= _echo_rank or _ship is _nowhere:
        _stderr_line(level, text, as_text)


class _Log:
    """The run logger: every line is stored with its run, task and attempt and shown on the run's page.

    >>> log.info("downloaded rainfall", station=station, rows=len(series))
    """

    __slots__ = ()

    def debug(self, message: object, **fields: Any) -> None:
        _write("debug", message, fields)

    def info(self, message: object, **fields: Any) -> None:
        _write("info", message, fields)

    def warning(self, message: object, **fields: Any) -> None:
        _write("warn", message, fields)

    warn = warning

    def error(self, message: object, **fields: Any) -> None:
        _write("error", message, fields)


log = _Log()

# -- print() inside a task is a log line, as console.log in a TypeScript task ---------------------------------

_CONSOLE = {"source": "console"}


class _PrintCapture:
    """Replaces sys.stdout / sys.stderr: inside a task, each printed line becomes a log line; elsewhere unchanged."""

    def __init__(self, original: Any, level: str) -> None:
        self._original = original
        self._level = level

    def write(self, s: str) -> int:
        running = _running.get()
        if running is None:
            return self._original.write(s)
        running.printed.append(s)
        if s.endswith("\n"):
            text = "".join(running.printed)[:-1]
            running.printed.clear()
            _write(self._level, text, _CONSOLE)
        return len(s)

    def flush(self) -> None:
        self._original.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)


def capture_prints() -> None:
    """Once per process (the worker calls it): print() to stdout is an info line, to stderr a warn line."""
    if not isinstance(sys.stdout, _PrintCapture):
        sys.stdout = _PrintCapture(sys.stdout, "info")  # type: ignore[assignment]
    if not isinstance(sys.stderr, _PrintCapture):
        sys.stderr = _PrintCapture(sys.stderr, "warn")  # type: ignore[assignment]


def _flush_prints(running: _Running) -> None:
    if running.printed:
        text = "".join(running.printed)
        running.printed.clear()
        _write("info", text, _CONSOLE)


# -- progress and cancellation --------------------------------------------------------------------------------


def progress(done: float, total: float, message: str | None = None) -> None:
    """Reports how far a long task is: the run page shows it as a progress bar, at most a second behind (it goes
    to the store with the task's log lines). Also a heartbeat, in the same shape as TypeScript's: a dead worker is
    noticed after `heartbeat_timeout`, a cancellation reaches the task, a retry resumes from `last_progress()`.
    Fine in a tight loop: only the latest report is written, and Temporal throttles the heartbeats."""
    details: dict[str, Any] = {"done": done, "total": total}
    if message is not None:
        details["message"] = message
    from temporalio import activity

    activity.heartbeat(details)
    running = _running.get()
    if running is not None and _ship_progress is not None:
        _ship_progress(
            ProgressRecord(
                time.time_ns() // 1_000_000, running.workflow_id, running.run_id, running.task, running.activity_id, running.attempt, done, total, message
            )
        )


def last_progress() -> Progress | None:
    """The progress the previous attempt of this task last reported, to resume from; None on a first attempt."""
    from temporalio import activity

    details = activity.info().heartbeat_details
    first = details[0] if details else None
    return first if isinstance(first, dict) else None


def cancelled() -> bool:
    """True once the run is cancelled (or this worker is stopping): a long loop checks it and stops. Cancellation
    reaches a task through its heartbeats, so call `progress()` in the loop too."""
    from temporalio import activity

    return activity.is_cancelled() or activity.is_worker_shutdown()


def check_cancelled() -> None:
    """Raises (ending the attempt as cancelled) once the run is cancelled; call it in a long loop."""
    from temporalio import activity
    from temporalio.exceptions import CancelledError

    if activity.is_cancelled():
        raise CancelledError("the run was cancelled")


# -- the decorator ---------------------------------------------------------------------------------------------


def _failed(running: _Running, err: BaseException, started: float, non_retryable: tuple[str, ...]) -> BaseException:
    """Logs the failed attempt as TypeScript's worker does, and marks a declared non-retryable error as such."""
    from temporalio.exceptions import ApplicationError

    name = type(err).__name__
    stack = "".join(traceback.format_exception(err)).rstrip("\n")
    _write("warn", "Activity failed", {"error": {"type": name, "message": str(err), "stack": stack}, "durationMs": int((time.monotonic() - started) * 1000)})
    if name in non_retryable and not isinstance(err, ApplicationError):
        return ApplicationError(str(err), type=name, non_retryable=True)
    return err


@contextmanager
def _attempt(non_retryable: tuple[str, ...]) -> Iterator[None]:
    """One attempt of a task: its lines carry its run, task and attempt; a failure is logged and classified."""
    from temporalio import activity

    running = _Running(activity.info())
    token = _running.set(running)
    started = time.monotonic()
    try:
        yield
    except Exception as err:
        replaced = _failed(running, err, started, non_retryable)
        if replaced is err:
            raise
        raise replaced from err
    finally:
        _flush_prints(running)
        _running.reset(token)


def _activity_of(name: str, fn: Callable[..., Any], options: TaskOptions) -> tuple[Callable[..., Any], bool]:
    from temporalio import activity

    non_retryable = options.non_retryable_errors
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def run_async(*args: Any) -> Any:
            with _attempt(non_retryable):
                return await fn(*args)

        return activity.defn(name=name)(run_async), True

    @functools.wraps(fn)
    def run_sync(*args: Any) -> Any:
        with _attempt(non_retryable):
            return fn(*args)

    # As in TypeScript, cancelling is asked, not forced: the task's loop sees `cancelled()` (or calls
    # `check_cancelled()`) and stops cleanly, instead of an exception landing in its thread at any line.
    return activity.defn(name=name, no_thread_cancel_exception=True)(run_sync), False


@overload
def task(fn: F, /) -> F: ...
@overload
def task(
    *,
    retries: int = 3,
    retry_delay: Duration = "1s",
    backoff: float = 2,
    max_retry_delay: Duration = "1m",
    timeout: Duration = "10m",
    heartbeat_timeout: Duration | None = None,
    non_retryable_errors: list[str | type[BaseException]] | None = None,
    concurrency: int | dict[str, Any] | None = None,
    rate_limit: dict[str, Any] | None = None,
) -> Callable[[F], F]: ...
def task(fn: Callable[..., Any] | None = None, /, **options: Any) -> Any:
    """Declares a task. Options, names and defaults are TypeScript's (in snake_case); durations are strings such
    as '30s', '5 minutes' or a `timedelta`. The function stays callable as it was (for unit tests); the task's
    name is the function's name. A bad option raises DeclarationError at import, naming the task and option."""

    def declare(f: Callable[..., Any]) -> Callable[..., Any]:
        if not callable(f):
            raise TypeError(f"@task must decorate a function, got {type(f).__name__}")
        task_name = f.__name__
        unknown = sorted(set(options) - set(OPTION_NAMES))
        if unknown:
            raise DeclarationError(f"task {task_name!r}: unknown option {', '.join(unknown)}; the options are {', '.join(OPTION_NAMES)}")
        opts = task_options(task_name, **options)
        run, is_async = _activity_of(task_name, f, opts)
        setattr(f, SLUICE_TASK, DeclaredTask(task_name, opts, f, run, is_async))
        return f

    return declare(fn) if fn is not None else declare


def declared_task(obj: object) -> DeclaredTask | None:
    """The declaration `@task` attached to a function, or None for anything else."""
    found = getattr(obj, SLUICE_TASK, None) if callable(obj) else None
    return found if isinstance(found, DeclaredTask) else None
