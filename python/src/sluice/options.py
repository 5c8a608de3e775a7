"""Task options: the retry policy and timeouts a task declares once, beside its code. The same names (in
snake_case), meanings and defaults as TypeScript tasks (sdk/src/task-options.ts), so one table documents
both. A flow reads them from the catalog the worker publishes, in TypeScript's own shape (`published`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from .durations import Duration, duration_ms

DEFAULTS: dict[str, Any] = {"retries": 3, "retry_delay": "1s", "backoff": 2, "max_retry_delay": "1m", "timeout": "10m"}


OPTION_NAMES = ("retries", "retry_delay", "backoff", "max_retry_delay", "timeout", "heartbeat_timeout", "non_retryable_errors")


class DeclarationError(ValueError):
    """A task declared with options Sluice cannot honour; the message names the task and the option."""


@dataclass(frozen=True)
class TaskOptions:
    """The options in force (defaults filled in); durations in milliseconds."""

    retries: int
    retry_delay_ms: float
    backoff: float
    max_retry_delay_ms: float
    timeout_ms: float
    heartbeat_timeout_ms: float | None
    non_retryable_errors: tuple[str, ...]

    def published(self) -> dict[str, Any]:
        """As TypeScript's TaskOptions (camelCase, durations in ms): what `pythonTasks()` in a flow applies."""
        out: dict[str, Any] = {
            "retries": self.retries,
            "retryDelay": self.retry_delay_ms,
            "backoff": self.backoff,
            "maxRetryDelay": self.max_retry_delay_ms,
            "timeout": self.timeout_ms,
        }
        if self.heartbeat_timeout_ms is not None:
            out["heartbeatTimeout"] = self.heartbeat_timeout_ms
        if self.non_retryable_errors:
            out["nonRetryableErrors"] = list(self.non_retryable_errors)
        return out


def task_options(
    task: str,
    *,
    retries: int = DEFAULTS["retries"],
    retry_delay: Duration = DEFAULTS["retry_delay"],
    backoff: float = DEFAULTS["backoff"],
    max_retry_delay: Duration = DEFAULTS["max_retry_delay"],
    timeout: Duration = DEFAULTS["timeout"],
    heartbeat_timeout: Duration | None = None,
    non_retryable_errors: list[str | type[BaseException]] | tuple[str | type[BaseException], ...] | None = None,
) -> TaskOptions:
    """Checks a declaration; raises DeclarationError saying which task, which option and what to write."""

    def where(option: str) -> str:
        return f"task {task!r}, option {option}"

    try:
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise ValueError(f"{where('retries')}: expected a whole number of 0 or more, got {retries!r}")
        if isinstance(backoff, bool) or not isinstance(backoff, (int, float)) or backoff < 1:
            raise ValueError(f"{where('backoff')}: expected a number of 1 or more, got {backoff!r}")
        timeout_ms = duration_ms(timeout, where("timeout"))
        if timeout_ms <= 0:
            raise ValueError(f"{where('timeout')}: must be longer than zero")
        names: list[str] = []
        for e in non_retryable_errors or ():
            if isinstance(e, type) and issubclass(e, BaseException):
                names.append(e.__name__)
            elif isinstance(e, str) and e.strip():
                names.append(e.strip())
            else:
                raise ValueError(f"{where('non_retryable_errors')}: expected error class names or classes, got {e!r}")
        return TaskOptions(
            retries=retries,
            retry_delay_ms=duration_ms(retry_delay, where("retry_delay")),
            backoff=backoff,
            max_retry_delay_ms=duration_ms(max_retry_delay, where("max_retry_delay")),
            timeout_ms=timeout_ms,
            heartbeat_timeout_ms=None if heartbeat_timeout is None else duration_ms(heartbeat_timeout, where("heartbeat_timeout")),
            non_retryable_errors=tuple(names),
        )
    except ValueError as err:
        raise DeclarationError(str(err)) from None


def ms_timedelta(ms: float) -> timedelta:
    return timedelta(milliseconds=ms)
