"""@task, log, print, progress and cancellation inside a real activity context (temporalio's ActivityEnvironment)."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from temporalio.exceptions import ApplicationError, CancelledError
from temporalio.testing import ActivityEnvironment

from sluice import DeclarationError, cancelled, check_cancelled, last_progress, log, progress, task
from sluice.task import capture_prints, declared_task, set_log_destination


class StationUnknown(Exception):
    pass


class Shipped(list):
    """The lines a task shipped, as the worker API receives them (sluice.wire.line_json), parsed."""

    def append(self, line: str) -> None:
        super().append(json.loads(line))


@pytest.fixture
def shipped() -> Shipped:
    lines = Shipped()
    set_log_destination(lines.append, "error")
    return lines


def env(attempt: int = 1, details: list | None = None) -> ActivityEnvironment:
    e = ActivityEnvironment()
    e.info = e.info.__class__(**{**e.info.__dict__, "attempt": attempt, "heartbeat_details": details or [], "workflow_type": "rainfall", "activity_type": "interpolate"})
    return e


def run(fn, *args, e: ActivityEnvironment | None = None):
    return (e or env()).run(declared_task(fn).activity, *args)  # type: ignore[union-attr]


def test_declared_options_and_the_function_stays_callable() -> None:
    @task(retries=1, retry_delay=timedelta(seconds=2), non_retryable_errors=[StationUnknown, "KeyError"])
    def interpolate(x: int) -> int:
        return x + 1

    assert interpolate(1) == 2
    declared = declared_task(interpolate)
    assert declared is not None and declared.name == "interpolate"
    assert declared.options.published() == {
        "retries": 1, "retryDelay": 2000, "backoff": 2, "maxRetryDelay": 60000, "timeout": 600000,
        "nonRetryableErrors": ["StationUnknown", "KeyError"],
    }


def test_declared_limits_are_published_in_typescripts_shape() -> None:
    @task(concurrency={"limit": 2, "key": "knmi-api"}, rate_limit={"limit": 30, "per": "1 minute"})
    def fetch() -> None: ...

    @task(concurrency=1, rate_limit={"limit": 5, "per": "10s", "key": "knmi-api"})
    def fetch_one() -> None: ...

    published = declared_task(fetch).options.published()  # type: ignore[union-attr]
    assert published["concurrency"] == {"limit": 2, "key": "knmi-api"}
    assert published["rateLimit"] == {"limit": 30, "per": 60000}
    published = declared_task(fetch_one).options.published()  # type: ignore[union-attr]
    assert published["concurrency"] == 1
    assert published["rateLimit"] == {"limit": 5, "per": 10000, "key": "knmi-api"}


@pytest.mark.parametrize(
    "options,message",
    [
        ({"retries": -1}, "task 'f', option retries: expected a whole number of 0 or more, got -1"),
        ({"timeout": 30}, "task 'f', option timeout: a bare number (30) is ambiguous"),
        ({"retry_delay": "soon"}, "task 'f', option retry_delay: 'soon' is not a duration"),
        ({"backoff": 0.5}, "task 'f', option backoff: expected a number of 1 or more"),
        ({"timeout": "0s"}, "task 'f', option timeout: must be longer than zero"),
        ({"non_retryable_errors": [3]}, "task 'f', option non_retryable_errors: expected error class names or classes, got 3"),
        ({"retry": 3}, "task 'f': unknown option retry; the options are retries, retry_delay"),
        ({"concurrency": 0}, "task 'f', option concurrency: expected a whole number of at least 1, or {'limit': 2, 'key': 'knmi-api'}, got 0"),
        ({"concurrency": {"limit": 2, "key": ""}}, "task 'f', option concurrency: expected a whole number of at least 1"),
        ({"rate_limit": 30}, "task 'f', option rate_limit: expected e.g. {'limit': 30, 'per': '1 minute'}"),
        ({"rate_limit": {"limit": 30, "per": "soon"}}, "task 'f', option rate_limit per: 'soon' is not a duration"),
    ],
)
def test_bad_declarations_are_refused_readably(options: dict, message: str) -> None:
    with pytest.raises(DeclarationError) as raised:

        @task(**options)
        def f() -> None: ...

    assert message in str(raised.value)


def test_log_and_print_lines_carry_the_run_task_and_attempt(shipped: Shipped) -> None:
    @task
    def interpolate(n: int) -> str:
        log.info("cells done", n=n, runId="mine")
        print("printed", n)
        print("no newline yet", end="")
        log.warning("careful")
        log.error("a\0b")
        return "ok"

    capture_prints()  # here, not in a fixture: pytest swaps sys.stdout between a test's phases
    assert run(interpolate, 4, e=env(attempt=3)) == "ok"
    assert [(r["level"], r["message"], r.get("fieldsText")) for r in shipped] == [
        ("info", "cells done", '{"n":4,"field.runId":"mine"}'),
        ("info", "printed 4", '{"source":"console"}'),
        ("warn", "careful", None),
        ("error", "a\ufffdb", None),
        ("info", "no newline yet", '{"source":"console"}'),
    ]
    for r in shipped:
        assert set(r) - {"fieldsText"} == {"time", "level", "message", "workflowId", "runId", "flow", "task", "activityId", "attempt"}
        assert (r["workflowId"], r["runId"], r["flow"], r["task"], r["activityId"], r["attempt"]) == ("test", "test-run", "rainfall", "interpolate", "test", 3)
        assert isinstance(r["time"], int) and abs(r["time"] - time.time() * 1000) < 60_000


def test_a_failed_attempt_is_logged_and_a_declared_error_is_non_retryable(shipped: Shipped) -> None:
    @task(non_retryable_errors=[StationUnknown])
    def fetch(station: str) -> None:
        raise StationUnknown(f"no station {station}")

    with pytest.raises(ApplicationError) as raised:
        run(fetch, "Atlantis")
    assert raised.value.type == "StationUnknown" and raised.value.non_retryable and raised.value.message == "no station Atlantis"
    failed = shipped[-1]
    assert (failed["level"], failed["message"]) == ("warn", "Activity failed")
    fields = json.loads(failed["fieldsText"])
    assert fields["error"]["type"] == "StationUnknown" and fields["error"]["message"] == "no station Atlantis"
    assert "durationMs" in fields


def test_other_errors_keep_their_type_and_are_retried(shipped: Shipped) -> None:
    @task
    def broken() -> None:
        raise ValueError("bad grid")

    with pytest.raises(ValueError, match="bad grid"):
        run(broken)


def test_progress_heartbeats_in_typescripts_shape_and_last_progress_resumes() -> None:
    beats: list[tuple] = []
    e = env(attempt=2, details=[{"done": 7, "total": 10, "message": "step 7"}])
    e.on_heartbeat = lambda *d: beats.append(d)

    @task
    async def long(total: int) -> int:
        start = int((last_progress() or {}).get("done", 0))
        for done in range(start, total):
            progress(done, total, f"step {done}")
        progress(total, total)
        return start

    import asyncio

    assert asyncio.run(e.run(declared_task(long).activity, 10)) == 7  # type: ignore[union-attr]
    assert beats == [({"done": 7, "total": 10, "message": "step 7"},), ({"done": 8, "total": 10, "message": "step 8"},), ({"done": 9, "total": 10, "message": "step 9"},), ({"done": 10, "total": 10},)]


def test_a_numpy_loop_sees_cancellation() -> None:
    np = pytest.importorskip("numpy")
    e = env()
    seen: list[int] = []

    @task
    def crunch() -> int:
        grid = np.zeros((50, 50))
        for i in range(1000):
            grid += 1
            seen.append(i)
            if i == 5:
                e.cancel()
            if cancelled():
                return i
        return -1

    assert run(crunch, e=e) == 5

    @task
    def crunch_raising() -> None:
        e2.cancel()
        check_cancelled()

    e2 = env()
    with pytest.raises(CancelledError):
        run(crunch_raising, e=e2)
