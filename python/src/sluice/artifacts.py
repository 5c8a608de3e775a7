"""`publish`: a result people read on the run page, from a Python task, as TypeScript's `publish` (sdk/src/publish.ts):
a table, markdown, a link, an image or a chart, with a key and a title. It goes with a log line ("published table
'daily-totals'") through the task's run logger; the store checks it with the one artifact schema
(sdk/src/artifacts.ts). Here only what a task can get wrong at once is checked, and the size bound, before anything
is shipped.

    from sluice import publish, task

    @task
    def interpolate(grid: dict) -> dict:
        publish("table", "cells", title="Cells", columns=["lat", "lon", "mm"], rows=[[52.1, 5.2, 4.2]])
        publish("chart", "totals", title="Daily totals", chart="bar", x=days, series=[{"name": "mm", "values": mm}])
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from . import task as _task
from .wire import line_json

KINDS = ("table", "markdown", "link", "image", "chart")
MAX_ARTIFACT_BYTES = 1024 * 1024
_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def publish(kind: str, key: str, *, title: str, **content: Any) -> None:
    """Publishes an artifact: kind 'table' (columns=, rows=), 'markdown' (markdown=), 'link' (url=, text=), 'image'
    (url=, alt=) or 'chart' (chart='line'|'bar', x=, series=[{'name':, 'values':}]). Raises ValueError, saying what
    is wrong, for an unknown kind, a bad key or title, a value JSON cannot hold, or more than 1 MiB as JSON."""
    what = f"{kind} '{key}'"
    if kind not in KINDS:
        raise ValueError(f"Cannot publish {what}: kind must be one of {', '.join(KINDS)}.")
    if not isinstance(key, str) or len(key) > 100 or not _KEY.match(key):
        raise ValueError(f"Cannot publish {what}: key must be lowercase letters, digits and single dashes, e.g. 'daily-totals'.")
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"Cannot publish {what}: title must not be empty.")
    try:
        text = json.dumps({**content, "kind": kind, "key": key, "title": title.strip()}, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as err:
        raise ValueError(f"Cannot publish {what}: {err} (cells are text, numbers, True/False or None).") from None
    size = len(text.encode())
    if size > MAX_ARTIFACT_BYTES:
        raise ValueError(
            f"Cannot publish {what}: it is {size} bytes as JSON, more than the {MAX_ARTIFACT_BYTES} bytes (1 MiB) an artifact "
            "may hold. Publish a summary, or a link to the full data."
        )
    message = f"published {what}"
    running = _task._running.get()
    if running is None:
        print(message)  # outside a task (a script, a notebook): checked, not stored
        return
    _task._ship(line_json(time.time_ns() // 1_000_000, "info", message, None, running.suffix, text))
