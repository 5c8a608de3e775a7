"""The shared test vectors (test/vectors/*.json), also read by test/python/vectors.test.ts: the Python shipper
writes the same rows as TypeScript's, durations read alike, declared options publish as TypeScript's."""

from __future__ import annotations

import pytest
from conftest import vectors

from sluice.durations import duration_ms
from sluice.json_text import fields_text
from sluice.log_rows import LogRecord, log_row
from sluice.options import task_options


def record_of(r: dict) -> LogRecord:
    # As a task writes a line: the fields become text when logged.
    return LogRecord(r["time"], r["level"], r["message"], fields_text(r.get("fields")), r["workflowId"], r["runId"], r["flow"], r["task"], r["activityId"], r["attempt"])


@pytest.mark.parametrize("case", vectors("log-rows.json")["cases"], ids=lambda c: c["name"])
def test_log_rows(case: dict) -> None:
    assert list(log_row(record_of(case["record"]))) == case["row"]


@pytest.mark.parametrize("text,ms", vectors("durations.json")["cases"])
def test_durations(text: str, ms: int | None) -> None:
    if ms is None:
        with pytest.raises(ValueError, match="not a duration"):
            duration_ms(text, "test")
    else:
        assert duration_ms(text, "test") == ms


@pytest.mark.parametrize("case", vectors("task-options.json")["cases"], ids=lambda c: c["name"])
def test_published_options(case: dict) -> None:
    assert task_options("t", **case["python"]).published() == case["published"]
