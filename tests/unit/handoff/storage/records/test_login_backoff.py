"""Sign-in attempts per account and address: counted before the check, then backing off."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from handoff.storage.keys import Keys
from handoff.storage.records.login_backoff import LoginBackoff


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_parallel_attempts_pass_only_up_to_the_limit(redis: Redis) -> None:
    limiter = LoginBackoff(redis, Keys(), clock=Clock())
    waits = await asyncio.gather(*(limiter.attempt("10.0.0.1", "alice") for _ in range(50)))
    assert waits.count(0) == 5
    assert set(waits) - {0} == {60}


async def test_the_wait_doubles_up_to_the_cap_and_success_clears_it(redis: Redis) -> None:
    clock = Clock()
    limiter = LoginBackoff(redis, Keys(), limit=2, base=10, cap=30, clock=clock)
    assert [await limiter.attempt("a", "Alice ") for _ in range(3)] == [0, 0, 10]
    waits = []
    for _ in range(3):
        clock.now += await limiter.attempt("a", "alice")  # same account, any case
        assert await limiter.attempt("a", "alice") == 0
        waits.append(await limiter.attempt("a", "alice"))
    assert waits == [20, 30, 30]
    assert await limiter.attempt("b", "alice") == 0  # another address counts apart
    await limiter.succeeded("a", "alice")
    assert await limiter.attempt("a", "alice") == 0
    keys = await redis.keys("tandem:review:backoff:*")
    assert len(keys) == 2  # the name typed never shapes a key: a digest of it
    for key in keys:
        assert b"alice" not in key
        assert 0 < await redis.ttl(key) <= 86400
