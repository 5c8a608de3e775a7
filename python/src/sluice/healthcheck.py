"""`python -m sluice healthcheck`: exits 0 when the Python worker of THIS host (container) polls its task queue,
else 1 with the reason.

With SLUICE_HEALTH_FILE set (the worker image sets it), the worker itself asks Temporal every 15 s and writes
the answer there (sluice.health); this only reads it, without loading the Temporal client: healthy when the
report says ok and is at most 60 s old.

Without it (an image built before the worker wrote reports), it asks Temporal itself, as
deploy/worker-healthcheck.cjs does for TypeScript workers: a Python worker's identity is `PID@HOSTNAME
(python)` (sluice.worker) and it polls its queue for tasks (activities) only, so that is the queue type asked
about. Another container's worker on the same queue does not count. Settings: TEMPORAL_ADDRESS,
TEMPORAL_NAMESPACE (with TLS and API key: sluice.connection), SLUICE_TASK_QUEUE."""

from __future__ import annotations

import os

from .health import POLL_FRESH_S, problem_with_report


class Unhealthy(Exception):
    pass


def check(task_queue: str | None = None) -> None:
    """Raises Unhealthy with the reason when this host's worker is not known to poll its queue."""
    report = (os.environ.get("SLUICE_HEALTH_FILE") or "").strip()
    if report:
        problem = problem_with_report(report)
        if problem:
            raise Unhealthy(problem)
        return
    import asyncio  # here, as temporalio below: reading a report needs neither

    asyncio.run(_ask_temporal(task_queue))


async def _ask_temporal(task_queue: str | None) -> None:
    import asyncio
    import socket
    import time

    from temporalio.api.enums.v1 import TaskQueueType
    from temporalio.api.taskqueue.v1 import TaskQueue
    from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
    from .connection import TemporalSettingsError, TemporalUnreachable, connect_temporal, temporal_settings

    queue = task_queue or os.environ.get("SLUICE_TASK_QUEUE")
    if not queue:
        raise Unhealthy("SLUICE_TASK_QUEUE is not set")
    try:
        settings = temporal_settings(os.environ)
        namespace = settings.namespace
        client = await asyncio.wait_for(connect_temporal(settings), timeout=5)
    except (TemporalSettingsError, TemporalUnreachable) as err:
        raise Unhealthy(str(err)) from None
    except asyncio.TimeoutError:
        raise Unhealthy(f"cannot reach Temporal at {settings.address} within 5 s") from None
    host = socket.gethostname()
    response = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=namespace,
            task_queue=TaskQueue(name=queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
        )
    )
    now = time.time()
    ours = [p for p in response.pollers if p.identity.split(" ")[0].endswith(f"@{host}")]
    if not any(now - p.last_access_time.seconds < POLL_FRESH_S for p in ours):
        raise Unhealthy(f"no worker of {host} has polled task queue {queue} in the last {POLL_FRESH_S} s")
