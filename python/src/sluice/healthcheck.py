"""`python -m sluice healthcheck`: exits 0 when a Python worker of THIS host (container) polls its task queue,
as Temporal sees it, else 1 with the reason. The Python twin of deploy/worker-healthcheck.cjs, for the Python
worker image, which has no Node: a Python worker's identity is `PID@HOSTNAME (python)` (sluice.worker) and it
polls its queue for tasks (activities) only, so that is the queue type asked about. Another container's
worker on the same queue does not count. Settings: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, SLUICE_TASK_QUEUE."""

from __future__ import annotations

import asyncio
import os
import socket
import time

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

# Temporal lists a poller for a few minutes after its last poll; a live worker polls at least every minute.
FRESH_S = 90


class Unhealthy(Exception):
    pass


async def check(task_queue: str | None = None) -> None:
    """Raises Unhealthy with the reason when no worker of this host polls the queue."""
    queue = task_queue or os.environ.get("SLUICE_TASK_QUEUE")
    if not queue:
        raise Unhealthy("SLUICE_TASK_QUEUE is not set")
    address = os.environ.get("TEMPORAL_ADDRESS") or "127.0.0.1:7233"
    namespace = os.environ.get("TEMPORAL_NAMESPACE") or "default"
    host = socket.gethostname()
    try:
        client = await asyncio.wait_for(Client.connect(address, namespace=namespace), timeout=5)
    except Exception as err:
        raise Unhealthy(f"cannot reach Temporal at {address}: {err}") from None
    response = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=namespace,
            task_queue=TaskQueue(name=queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
        )
    )
    now = time.time()
    ours = [p for p in response.pollers if p.identity.split(" ")[0].endswith(f"@{host}")]
    if not any(now - p.last_access_time.seconds < FRESH_S for p in ours):
        raise Unhealthy(f"no worker of {host} has polled task queue {queue} in the last {FRESH_S} s")
