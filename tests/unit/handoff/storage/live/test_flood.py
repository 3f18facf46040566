"""Each customer's messages per clock minute, counted in the caller's round trip."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from handoff.storage.live.flood import FloodCounts
from handoff.storage.store import ConversationStore


async def _count(counts: FloodCounts, redis: Redis, chat_id: int, window: int) -> int:
    async with redis.pipeline(transaction=False) as pipe:
        make = counts.counting(str(chat_id), window, keep_seconds=120)(pipe)
        return int(await make(await pipe.execute()))


async def test_counts_per_chat_and_window_with_the_counters_expiry(redis: Redis) -> None:
    counts = FloodCounts(ConversationStore(redis))
    got = await asyncio.gather(*(_count(counts, redis, 42, 7) for _ in range(10)))
    assert sorted(got) == list(range(1, 11))
    assert await _count(counts, redis, 43, 7) == 1  # another chat counts apart
    assert await _count(counts, redis, 42, 8) == 1  # a new window starts again
    assert 110 < await redis.ttl("tandem:flood:42:7") <= 120
