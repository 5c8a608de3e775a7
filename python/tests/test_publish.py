"""`publish` in a Python task: the artifact goes with its line through the run logger, as TypeScript's does; what a
task can get wrong at once, and more than 1 MiB, raises before anything is shipped."""

from __future__ import annotations

import json

import pytest
from temporalio.testing import ActivityEnvironment

from sluice import publish, task
from sluice.task import declared_task, set_log_destination


@pytest.fixture
def shipped() -> list[dict]:
    lines: list[str] = []
    set_log_destination(lines.append, "error")
    return lines  # type: ignore[return-value]  (read through json.loads below)


def test_a_published_table_goes_with_its_line(shipped: list) -> None:
    @task
    def totals() -> None:
        publish("table", "daily-totals", title="Daily rainfall", columns=["day", "mm"], rows=[["2025-12-01", 4.2], ["2025-12-02", None]])

    ActivityEnvironment().run(declared_task(totals).activity)  # type: ignore[union-attr]
    [line] = [json.loads(text) for text in shipped]
    assert (line["level"], line["message"], line["runId"]) == ("info", "published table 'daily-totals'", "test-run")
    assert line["artifact"] == {
        "kind": "table", "key": "daily-totals", "title": "Daily rainfall", "columns": ["day", "mm"], "rows": [["2025-12-01", 4.2], ["2025-12-02", None]],
    }


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("video", "v"), {"title": "V"}, r"^Cannot publish video 'v': kind must be one of table, markdown, link, image, chart\.$"),
        (("table", "Daily Totals"), {"title": "T"}, r"key must be lowercase letters, digits and single dashes"),
        (("markdown", "m"), {"title": "  "}, r"title must not be empty"),
        (("chart", "c"), {"title": "C", "x": [1], "series": [{"name": "s", "values": [float("nan")]}]}, r"Cannot publish chart 'c': Out of range float"),
        (("markdown", "huge"), {"title": "Huge", "markdown": "€" * 400_000}, r"it is 12000\d\d bytes as JSON, more than the 1048576 bytes \(1 MiB\)"),
    ],
)
def test_bad_or_too_big_artifacts_raise_before_anything_is_shipped(shipped: list, args: tuple, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        publish(*args, **kwargs)
    assert shipped == []
