"""Unit tests of the Python tasks, without a Temporal server: Temporal's ActivityEnvironment runs a task as the
worker would (progress() is a heartbeat there, recorded here)."""

import pytest
from sluice.worker import load_module, tasks_of
from temporalio.testing import ActivityEnvironment

from rain_stats import NoReadings, rainfall_percentiles


def run(task, *args):
    """The task's result and the progress it reported."""
    env = ActivityEnvironment()
    reported = []
    env.on_heartbeat = lambda *details: reported.extend(details)
    return env.run(task, *args), reported


def test_percentiles_of_the_readings_by_name_with_progress():
    readings = [{"station": "Eelde", "day": f"day {i}", "mm": mm} for i, mm in enumerate([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])]
    result, reported = run(rainfall_percentiles, readings, [50, 90])
    assert result == {"p50": 5.0, "p90": 9.0}
    assert [r["message"] for r in reported] == ["p50", "p90"]


def test_one_reading_is_every_percentile():
    assert run(rainfall_percentiles, [{"mm": 3.5}], [10, 99])[0] == {"p10": 3.5, "p99": 3.5}


def test_no_readings_fail_without_retries():
    with pytest.raises(NoReadings):
        run(rainfall_percentiles, [], [50])


def test_the_worker_finds_the_task_and_its_policy():
    tasks = tasks_of(load_module("rain_stats"))
    assert list(tasks) == ["rainfall_percentiles"]
    options = tasks["rainfall_percentiles"].options
    assert (options.retries, options.timeout_ms, options.non_retryable_errors) == (2, 120_000, ("NoReadings",))
