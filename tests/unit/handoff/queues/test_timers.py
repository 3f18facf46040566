"""The Redis timer store and loop (handoff.queues.timers) on a real Valkey server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest_asyncio
from redis.asyncio import Redis

from handoff.queues.timers import LEASE_SECONDS, TimerLoop, TimerStore
from tests.e2e.conftest import eventually


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


class Recorder:
    """A handler that yields to the event loop, so concurrent pollers really interleave."""

    def __init__(self) -> None:
        self.fired: list[str] = []

    async def __call__(self, ident: str) -> None:
        await asyncio.sleep(0)
        self.fired.append(ident)


@pytest_asyncio.fixture(loop_scope="session")
async def second_client(redis: Redis, redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def test_a_timer_fires_once_when_due_and_not_before(redis: Redis) -> None:
    clock, seen = Clock(), Recorder()
    loop = TimerLoop(TimerStore(redis), {"offer": seen}, clock=clock)
    await loop.timers.schedule("offer", "c1", 1_060.0)
    assert await loop.run_due() == 0
    clock.now = 1_060.0
    assert await loop.run_due() == 1
    assert await loop.run_due() == 0
    clock.now += 10 * LEASE_SECONDS
    assert await loop.run_due() == 0
    assert seen.fired == ["c1"]
    assert await redis.zcard("tandem:timers") == 0


async def test_two_concurrent_pollers_fire_each_timer_once(
    redis: Redis, second_client: Redis
) -> None:
    clock = Clock()
    first, second = Recorder(), Recorder()
    a = TimerLoop(TimerStore(redis), {"offer": first}, clock=clock)
    b = TimerLoop(TimerStore(second_client), {"offer": second}, clock=clock)
    for n in range(40):
        await a.timers.schedule("offer", f"c{n}", 900.0 + n)
    for _ in range(3):
        await asyncio.gather(a.run_due(), b.run_due(), a.run_due(), b.run_due())
    fired = first.fired + second.fired
    assert sorted(fired) == sorted(f"c{n}" for n in range(40))
    assert len(set(fired)) == len(fired)


async def test_cancel_and_reschedule(redis: Redis) -> None:
    clock, seen = Clock(), Recorder()
    loop = TimerLoop(TimerStore(redis), {"offer": seen}, clock=clock)
    await loop.timers.schedule("offer", "gone", 1_010.0)
    await loop.timers.cancel("offer", "gone")
    await loop.timers.schedule("offer", "moved", 1_010.0)
    await loop.timers.schedule("offer", "moved", 1_100.0)  # one timer per id: moved, not added
    assert await loop.timers.due_at("offer", "moved") == 1_100.0
    clock.now = 1_050.0
    assert await loop.run_due() == 0
    clock.now = 1_100.0
    assert await loop.run_due() == 1
    assert seen.fired == ["moved"]


async def test_a_handler_may_reschedule_its_own_timer(redis: Redis) -> None:
    clock = Clock()
    store = TimerStore(redis)
    fired: list[float] = []

    async def again(ident: str) -> None:
        fired.append(clock.now)
        if len(fired) == 1:
            await store.schedule("offer", ident, clock.now + 120)

    loop = TimerLoop(store, {"offer": again}, clock=clock)
    await store.schedule("offer", "c1", 1_000.0)
    await loop.run_due()
    assert await store.due_at("offer", "c1") == 1_120.0  # finishing kept the new due time
    clock.now = 1_120.0
    await loop.run_due()
    assert fired == [1_000.0, 1_120.0]
    assert await store.due_at("offer", "c1") is None


async def test_a_failed_handler_is_retried_after_the_lease(redis: Redis) -> None:
    clock = Clock()
    calls: list[str] = []

    async def flaky(ident: str) -> None:
        calls.append(ident)
        if len(calls) == 1:
            raise RuntimeError("slack was down")

    loop = TimerLoop(TimerStore(redis), {"offer": flaky}, clock=clock)
    await loop.timers.schedule("offer", "c1", 1_000.0)
    await loop.run_due()
    await loop.run_due()  # leased: not retried at once
    assert calls == ["c1"]
    clock.now += LEASE_SECONDS
    await loop.run_due()
    assert calls == ["c1", "c1"]
    assert await loop.timers.due_at("offer", "c1") is None


async def test_a_timer_of_unknown_kind_is_dropped(redis: Redis) -> None:
    loop = TimerLoop(TimerStore(redis), {}, clock=Clock())
    await loop.timers.schedule("mystery", "x", 0.0)
    assert await loop.run_due() == 1
    assert await redis.zcard("tandem:timers") == 0


async def test_the_running_loop_polls_by_itself(redis: Redis) -> None:
    clock, seen = Clock(), Recorder()
    loop = TimerLoop(TimerStore(redis), {"offer": seen}, clock=clock)
    await loop.timers.schedule("offer", "c1", 1_005.0)
    async with loop.running():
        clock.now = 1_005.0

        async def fired() -> bool:
            return seen.fired == ["c1"]

        await eventually(fired, within=3.0)
