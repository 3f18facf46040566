"""The retention job: once an hour, on one worker at a time, erase what is past retention."""

from __future__ import annotations

import time
from collections.abc import Callable

from handoff.queues.periodic import run_periodically
from handoff.storage.records.erasure import Eraser


async def retention_loop(
    eraser: Eraser,
    days: int,
    clock: Callable[[], float] = time.time,
    *,
    every: float = 3600.0,
) -> None:
    """Once an hour, on one worker at a time (a Redis lease), erase what is past retention."""
    lease = max(1, int(every * 0.9))

    async def run_once() -> None:
        if await eraser.retention_lease(lease):
            await eraser.erase_older_than(days, by="retention", now=clock())

    await run_periodically(run_once, every, "retention run")
