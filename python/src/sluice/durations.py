"""Durations as TypeScript tasks write them: '30s', '5 minutes', '1h' (the grammar of the `ms` package that
Temporal's TypeScript SDK reads them with), or a `datetime.timedelta`. A bare number is refused: in
TypeScript it means milliseconds, in Python most people would read seconds."""

from __future__ import annotations

import math
import re
from datetime import timedelta

_S = 1000.0
_UNITS: dict[str, float] = {}
for names, factor in (
    (("years", "year", "yrs", "yr", "y"), _S * 60 * 60 * 24 * 365.25),
    (("weeks", "week", "w"), _S * 60 * 60 * 24 * 7),
    (("days", "day", "d"), _S * 60 * 60 * 24),
    (("hours", "hour", "hrs", "hr", "h"), _S * 60 * 60),
    (("minutes", "minute", "mins", "min", "m"), _S * 60),
    (("seconds", "second", "secs", "sec", "s"), _S),
    (("milliseconds", "millisecond", "msecs", "msec", "ms"), 1.0),
):
    for name in names:
        _UNITS[name] = factor

_PATTERN = re.compile(
    r"^(-?(?:\d+)?\.?\d+) *(milliseconds?|msecs?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|years?|yrs?|y)?$",
    re.IGNORECASE,
)

Duration = str | timedelta


def duration_ms(value: object, where: str) -> float:
    """Milliseconds of a duration; raises ValueError naming `where` and what to write instead."""
    if isinstance(value, timedelta):
        ms = value.total_seconds() * 1000
    elif isinstance(value, str):
        match = _PATTERN.match(value) if len(value) <= 100 else None
        if not match:
            raise ValueError(f"{where}: {value!r} is not a duration; write e.g. '30s', '5 minutes', '1h' or a timedelta")
        ms = float(match.group(1)) * _UNITS[(match.group(2) or "ms").lower()]
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{where}: expected a duration such as '30s' or a timedelta, got {type(value).__name__}")
    else:
        raise ValueError(
            f"{where}: a bare number ({value!r}) is ambiguous (TypeScript reads milliseconds); "
            f"write '{value}s', '{value}ms' or a timedelta"
        )
    if not math.isfinite(ms) or ms < 0:
        raise ValueError(f"{where}: {value!r} must be a duration of zero or more")
    return int(ms) if float(ms).is_integer() else ms
