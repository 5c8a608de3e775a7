"""Task options: the retry policy and timeouts a task declares once, beside its code. The same names (in
snake_case), meanings and defaults as TypeScript tasks (sdk/src/task-options.ts), so one table documents
both. A flow reads them from the catalog the worker publishes, in TypeScript's own shape (`published`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable

from .durations import Duration, duration_ms

DEFAULTS: dict[str, Any] = {"retries": 3, "retry_delay": "1s", "backoff": 2, "max_retry_delay": "1m", "timeout": "10m"}


OPTION_NAMES = ("retries", "retry_delay", "backoff", "max_retry_delay", "timeout", "heartbeat_timeout", "non_retryable_errors", "concurrency", "rate_limit")


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
    # Limits, as TypeScript declares them (docs/limits.md): the flow that calls the task takes the slot and the
    # start before it schedules the call, so a Python worker never sees a call that waits.
    concurrency_limit: int | None = None
    concurrency_key: str | None = None
    rate_limit: int | None = None
    rate_per_ms: float | None = None
    rate_key: str | None = None

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
        if self.concurrency_limit is not None:
            out["concurrency"] = self.concurrency_limit if self.concurrency_key is None else {"limit": self.concurrency_limit, "key": self.concurrency_key}
        if self.rate_limit is not None:
            out["rateLimit"] = {"limit": self.rate_limit, "per": self.rate_per_ms, **({"key": self.rate_key} if self.rate_key is not None else {})}
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
    concurrency: int | dict[str, Any] | None = None,
    rate_limit: dict[str, Any] | None = None,
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
            **_limits(where, concurrency, rate_limit),
        )
    except ValueError as err:
        raise DeclarationError(str(err)) from None


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _key(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() != "")


def _limits(where: Callable[[str], str], concurrency: object, rate_limit: object) -> dict[str, Any]:
    """The declared limits, checked with TypeScript's rules (sdk/src/limits/declared-limits.ts) and words."""
    out: dict[str, Any] = {}
    if concurrency is not None:
        spec = concurrency if isinstance(concurrency, dict) else {"limit": concurrency}
        if set(spec) - {"limit", "key"} or not _count(spec.get("limit")) or not _key(spec.get("key")):
            raise ValueError(f"{where('concurrency')}: expected a whole number of at least 1, or {{'limit': 2, 'key': 'knmi-api'}}, got {concurrency!r}")
        out.update(concurrency_limit=spec["limit"], concurrency_key=spec.get("key"))
    if rate_limit is not None:
        spec = rate_limit if isinstance(rate_limit, dict) else {}
        if set(spec) - {"limit", "per", "key"} or not _count(spec.get("limit")) or not _key(spec.get("key")):
            raise ValueError(f"{where('rate_limit')}: expected e.g. {{'limit': 30, 'per': '1 minute'}} (a whole number of starts of at least 1), got {rate_limit!r}")
        per_ms = duration_ms(spec.get("per", "1 minute"), where("rate_limit") + " per")
        if per_ms <= 0:
            raise ValueError(f"{where('rate_limit')} per: must be longer than zero")
        out.update(rate_limit=spec["limit"], rate_per_ms=per_ms, rate_key=spec.get("key"))
    return out


def ms_timedelta(ms: float) -> timedelta:
    return timedelta(milliseconds=ms)
