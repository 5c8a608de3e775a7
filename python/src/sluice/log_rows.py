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
    #: JSON text of what `publish` published with this line (TypeScript's LogRecord.artifact), else absent: only
    #: `publish` makes such a record, a full LogRecord (a CleanRecord is the ten row values alone).
    artifact: str | None = None


class CleanRecord(LogRecord):
    """A record already in row form (what `log` makes inside a task: a whole ms time, a known level, text without
    NUL, an int attempt): written as it is, with no per-line conversion on the store's side."""

    __slots__ = ()


class ProgressRecord(NamedTuple):
    """What a task last reported with `progress()`, as the shipper keeps it (the latest per task of a run)."""

    time: int
    workflow_id: str
    run_id: str
    task: str | None
    activity_id: str
    attempt: int
    done: Any
    total: Any
    message: str | None = None


PROGRESS_COLUMNS = ("run_id", "activity_id", "workflow_id", "task", "attempt", "done", "total", "message", "time")


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(value)  # type: ignore[arg-type]  # numpy numbers, Decimal
        except (TypeError, ValueError):
            return None
    return float(value) if math.isfinite(value) else None


def progress_row(p: ProgressRecord) -> tuple[Any, ...] | None:
    """The row's values in PROGRESS_COLUMNS order; None for a report that is not progress (a done or total that is
    no finite number), which is left out rather than failing the batch (as sdk/src/store/progress-rows.ts does)."""
    done, total = _number(p.done), _number(p.total)
    if done is None or total is None:
        return None
    attempt = p.attempt if type(p.attempt) is int and abs(p.attempt) <= _MAX_SAFE else 1
    return (_text(p.run_id), _text(p.activity_id), _text(p.workflow_id), _optional_text(p.task), attempt, done, total, _optional_text(p.message), int(p.time))


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
