"""Background loops of the worker (offer timers, retention, Telegram polling): running one
beside other work, and repeating a tick that survives Redis trouble."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any

from redis.exceptions import RedisError

log = logging.getLogger(__name__)


async def run_periodically(tick: Callable[[], Awaitable[object]], every: float, what: str) -> None:
    """Run ``tick`` every ``every`` seconds until cancelled; a Redis failure is logged and
    retried on the next round.

    redis-py can lose a cancellation that arrives in the middle of a command: the
    command then returns, or fails with ConnectionError. So after every round the
    loop checks whether it is being cancelled, instead of trusting the tick to raise.
    """
    task = asyncio.current_task()
    while True:
        try:
            await tick()
        except (RedisError, OSError) as exc:
            if not (task and task.cancelling()):
                log.warning("%s failed; trying again", what, extra={"error": type(exc).__name__})
        if task and task.cancelling():
            raise asyncio.CancelledError
        await asyncio.sleep(every)


@contextlib.asynccontextmanager
async def background(work: Coroutine[Any, Any, None], name: str) -> AsyncIterator[None]:
    """Run ``work`` while the block runs; a crash is logged, and stopping cancels it."""
    task = asyncio.create_task(work, name=name)

    def report(done: asyncio.Task[None]) -> None:
        if not done.cancelled() and done.exception() is not None:
            log.error("%s stopped", name, exc_info=done.exception())

    task.add_done_callback(report)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
