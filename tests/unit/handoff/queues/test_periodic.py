"""A background loop stops when cancelled, even if the tick swallows the cancellation."""

from __future__ import annotations

import asyncio
import contextlib

from redis.exceptions import ConnectionError as RedisConnectionError

from handoff.queues.periodic import run_periodically


async def test_a_cancellation_swallowed_by_the_tick_still_stops_the_loop() -> None:
    started = asyncio.Event()

    async def swallowing_tick() -> None:
        started.set()
        with contextlib.suppress(asyncio.CancelledError):  # as redis-py sometimes does
            await asyncio.sleep(10)

    task = asyncio.create_task(run_periodically(swallowing_tick, 0.01, "test"))
    await started.wait()
    task.cancel()
    async with asyncio.timeout(2):
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert task.cancelled()


async def test_redis_trouble_is_retried_on_the_next_round() -> None:
    calls = 0
    recovered = asyncio.Event()

    async def flaky_tick() -> None:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise RedisConnectionError("down")
        recovered.set()

    task = asyncio.create_task(run_periodically(flaky_tick, 0.001, "test"))
    async with asyncio.timeout(2):
        await recovered.wait()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert calls >= 3
