"""Log records ⇄ rows of the store's `logs` table, exactly as TypeScript writes them (sdk/src/store/log-rows.ts):
the same columns, the same defensive clean-up. test/vectors/log-rows.json holds the cases both sides check."""

from __future__ import annotations

import math
import time
from typing import Any, NamedTuple

LOG_COLUMNS = ("time", "level", "message", "fields", "workflow_id", "run_id", "flow", "task", "activity_id", "attempt")
LEVELS = ("debug", "info", "warn", "error")
_MAX_SAFE = 2**53 - 1


class LogRecord(NamedTuple):
    """One line of a run, as the shipper buffers it: the fields are JSON text made when it was logged."""

    time: Any
    level: Any
    message: Any
    fields_text: str | None
    workflow_id: Any
    run_id: Any
    flow: Any = None
    task: Any = None
    activity_id: Any = None
    attempt: Any = None


class CleanRecord(LogRecord):
    """A record already in row form (what `log` makes inside a task: a whole ms time, a known level, text without
    NUL, an int attempt): written as it is, with no per-line conversion on the store's side."""

    __slots__ = ()


def _text(value: object) -> str:
    s = value if type(value) is str else ("" if value is None else str(value))
    # PostgreSQL text cannot hold NUL; SQLite can, but both stores must keep the same text.
    return s.replace("\0", "\ufffd") if "\0" in s else s


def _optional_text(value: object) -> str | None:
    return None if value is None else _text(value)


def log_row(r: LogRecord) -> tuple[Any, ...]:
    """The row's values in LOG_COLUMNS order."""
    if type(r) is CleanRecord:
        return r
    t = r.time
    finite = isinstance(t, (int, float)) and not isinstance(t, bool) and math.isfinite(t)
    attempt = r.attempt
    return (
        int(t) if finite else time.time_ns() // 1_000_000,
        r.level if r.level in LEVELS else "info",
        _text(r.message),
        None if r.fields_text is None else _text(r.fields_text),
        _text(r.workflow_id),
        _text(r.run_id),
        _optional_text(r.flow),
        _optional_text(r.task),
        _optional_text(r.activity_id),
        attempt if type(attempt) is int and abs(attempt) <= _MAX_SAFE else None,
    )
