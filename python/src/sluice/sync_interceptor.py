"""Makes a task's log lines durable before its result goes to Temporal: once Temporal has the result, the run
moves on and nothing would bring a lost line back. The spool's fsync runs after the task's function returns or
raises (its "Activity failed" line included), off the event loop."""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

from .spool import Spool


class SyncSpool(Interceptor):
    """`Worker(..., interceptors=[SyncSpool(spool)])`."""

    def __init__(self, spool: Spool) -> None:
        self._spool = spool

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _Inbound(next, self._spool)


class _Inbound(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, spool: Spool) -> None:
        super().__init__(next)
        self._spool = spool

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        try:
            return await super().execute_activity(input)
        finally:
            await asyncio.to_thread(self._spool.sync)
