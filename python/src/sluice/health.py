"""The worker's health report (`SLUICE_HEALTH_FILE`): the worker asks Temporal whether it lists this worker's
polls and writes the answer to a file that the container's healthcheck (`python -m sluice healthcheck`) only
reads. Asking from the healthcheck itself meant a new Python process importing temporalio every 30 s: 0.55 s
of CPU and 55 MB, per worker container, forever. The worker already holds a connection.
The TypeScript worker writes the same report (sdk/src/worker/health.ts), which deploy/worker-healthcheck.cjs reads.

This module is imported by the healthcheck: it must not import temporalio at its top (see `check_in`)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from importlib.resources import files
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from temporalio.client import Client

#: The health contract, one place for both languages: sdk/src/worker/health-contract.json, which
#: health_contract.json links to (docs/health.md).
CONTRACT: dict[str, Any] = json.loads(files(__package__).joinpath("health_contract.json").read_text(encoding="utf-8"))

#: A check every 15 s; every second until the first healthy one, so that a start is seen quickly.
INTERVAL_S = float(CONTRACT["checkEverySeconds"])
STARTING_INTERVAL_S = float(CONTRACT["checkEveryStartingSeconds"])
#: Temporal lists a poller for minutes after its last poll; a live worker polls at least once a minute.
POLL_FRESH_S = CONTRACT["pollFreshSeconds"]
#: Four missed checks: a worker too busy for one check is not yet unhealthy.
REPORT_MAX_AGE_S = CONTRACT["reportMaxAgeSeconds"]
_CHECK_TIMEOUT = timedelta(seconds=CONTRACT["checkTimeoutSeconds"])


def _iso(at: float) -> str:
    """As JavaScript's Date#toISOString: milliseconds and Z."""
    return datetime.fromtimestamp(at, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def report_of(ok: bool, task_queue: str, identity: str, at: float, reason: str | None = None) -> dict[str, Any]:
    report: dict[str, Any] = {"ok": ok, "checkedAt": _iso(at), "taskQueue": task_queue, "identity": identity}
    if reason is not None:
        report["reason"] = reason
    return report


def health_of(pollers: list[tuple[str, float]], task_queue: str, identity: str, now: float) -> dict[str, Any]:
    """The report for Temporal's pollers of the queue, as (identity, last access in epoch seconds): ok when one
    is exactly this worker and polled in the last 90 s (another worker of the same host does not count)."""
    if any(who == identity and now - last < POLL_FRESH_S for who, last in pollers):
        return report_of(True, task_queue, identity, now)
    reason = f"Temporal lists no poll from this worker ({identity}) on task queue {task_queue} in the last {POLL_FRESH_S} s"
    return report_of(False, task_queue, identity, now, reason)


def write_report(path: str, report: dict[str, Any]) -> None:
    """Replaces the file in one step (write beside it, then rename): the healthcheck never reads half a report."""
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as out:
            out.write(json.dumps(report, separators=(",", ":")) + "\n")
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def problem_with_report(path: str, now: float | None = None) -> str | None:
    """None when the report at `path` says ok and is at most REPORT_MAX_AGE_S old, else why not (one line)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        return f"no health report at {path} yet (the worker writes one every {INTERVAL_S:g} s once it polls)"
    except (OSError, UnicodeDecodeError) as err:
        return f"{path} is not a health report: {err}"
    try:
        report = json.loads(text)
    except ValueError as err:
        return f"{path} is not a health report: {err}"
    checked_at = _parse_time(report.get("checkedAt") if isinstance(report, dict) else None)
    if checked_at is None or not isinstance(report.get("ok"), bool):
        return f"{path} is not a health report: it has no ok and checkedAt"
    age = max(0, round((time.time() if now is None else now) - checked_at))
    if age > REPORT_MAX_AGE_S:
        return f"the last health report ({path}) is {age} s old: the worker has stopped checking in"
    if not report["ok"]:
        return f"{report.get('reason') or 'not ok'} ({age} s ago)"
    return None


def _parse_time(value: object) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    return at.timestamp() if at.tzinfo is not None else None


async def check_in(client: Client, namespace: str, task_queue: str, identity: str, path: str, warn: Callable[[str], None]) -> None:
    """Checks and writes the report until cancelled (the worker stops); a failed check is a not-ok report and
    a failed write one warning, never an exception: the worker's health must not take the worker down."""
    # Here, not at the top: the healthcheck imports this module and must not pay for temporalio (or asyncio).
    import asyncio

    from temporalio.api.enums.v1 import TaskQueueType
    from temporalio.api.taskqueue.v1 import TaskQueue
    from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

    request = DescribeTaskQueueRequest(
        namespace=namespace, task_queue=TaskQueue(name=task_queue), task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY
    )
    warned = False
    healthy_seen = False
    while True:
        try:
            response = await client.workflow_service.describe_task_queue(request, timeout=_CHECK_TIMEOUT)
            pollers = [(p.identity, p.last_access_time.seconds) for p in response.pollers]
            report = health_of(pollers, task_queue, identity, time.time())
        except Exception as err:
            report = report_of(False, task_queue, identity, time.time(), f"cannot ask Temporal about task queue {task_queue}: {str(err) or type(err).__name__}")
        try:
            write_report(path, report)
        except Exception as err:
            if not warned:
                warn(f"cannot write the health report {path}: {err}")
            warned = True
        healthy_seen = healthy_seen or report["ok"]
        await asyncio.sleep(INTERVAL_S if healthy_seen else STARTING_INTERVAL_S)

