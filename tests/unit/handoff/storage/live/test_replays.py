"""Signed Slack requests seen: the first time is fresh, the same again is a replay."""

from __future__ import annotations

from redis.asyncio import Redis

from handoff.storage.live.replays import REPLAY_WINDOW_SECONDS, SignedRequests
from handoff.storage.store import ConversationStore


async def test_the_same_signed_request_is_fresh_once_and_kept_past_slacks_window(
    redis: Redis,
) -> None:
    seen = SignedRequests(ConversationStore(redis))
    assert await seen.first_time("1700000000", "v0=abc")
    assert not await seen.first_time("1700000000", "v0=abc")
    # Another signature, or the same at another time, is another request.
    assert await seen.first_time("1700000000", "v0=abd")
    assert await seen.first_time("1700000001", "v0=abc")
    [key, *_] = [k async for k in redis.scan_iter("tandem:slack:signed:*")]
    assert 10 * 60 < await redis.ttl(key) <= REPLAY_WINDOW_SECONDS
