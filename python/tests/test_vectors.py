"""The shared test vectors (test/vectors/*.json), also read by test/python/vectors.test.ts: the Python worker sends
the same lines as TypeScript's (the fields as the same JSON text), durations read alike, declared options publish
as TypeScript's."""

from __future__ import annotations

import json

import pytest
from conftest import vectors

from sluice.durations import duration_ms
from sluice.json_text import fields_text
from sluice.options import task_options
from sluice.wire import ProgressRecord, batch_body, line_json, run_suffix

BATCH = vectors("log-batch.json")


def line_of(r: dict) -> str:
    # As a task writes a line (sluice.task): the fields become text when logged, the run's part once per attempt.
    return line_json(r["time"], r["level"], r["message"], fields_text(r.get("fields")), run_suffix(r["workflowId"], r["runId"], r["flow"], r["task"], r["activityId"], r["attempt"]))


@pytest.mark.parametrize("case", BATCH["cases"], ids=lambda c: c["name"])
def test_log_lines_on_the_wire(case: dict) -> None:
    assert json.loads(line_of(case["record"])) == case["line"]


def test_a_batch_on_the_wire() -> None:
    expected = BATCH["batch"]
    progress = [ProgressRecord(p["time"], p["workflowId"], p["runId"], p["task"], p["activityId"], p["attempt"], p["done"], p["total"], p["message"]) for p in expected["progress"]]
    lines = [line_of(c["record"]).encode() for c in BATCH["cases"][: len(expected["lines"])]]
    assert json.loads(batch_body(lines, progress)) == expected


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
