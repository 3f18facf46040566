"""A store's latest handoff-to-claim times: newest first, the last KEEP of them."""

from __future__ import annotations

from redis.asyncio import Redis

from handoff.storage.live.response_times import KEEP, ResponseTimes
from handoff.storage.store import ConversationStore


async def test_keeps_the_latest_times_per_store_newest_first(redis: Redis) -> None:
    times = ResponseTimes(ConversationStore(redis))
    for seconds in range(KEEP + 5):
        await times.record("riverside", float(seconds))
    await times.record("downtown", 30.5)

    recent = await times.recent("riverside")
    assert recent == [float(s) for s in reversed(range(5, KEEP + 5))]
    assert await times.recent("downtown") == [30.5]
    assert await times.recent("uptown") == []
    assert await redis.llen("tandem:response:riverside") == KEEP
