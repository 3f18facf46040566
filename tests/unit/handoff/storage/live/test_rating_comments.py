"""A comment capture: armed for a while, taken once by the chat's next message."""

from __future__ import annotations

from redis.asyncio import Redis

from handoff.storage.live.rating_comments import CommentCaptures
from handoff.storage.store import ConversationStore


async def test_armed_then_taken_once(redis: Redis) -> None:
    captures = CommentCaptures(ConversationStore(redis))
    assert not await captures.armed("42")
    await captures.arm("42", "c7", 600)
    assert await captures.armed("42")
    assert 590 < await redis.ttl("tandem:rating:comment:42") <= 600
    assert await captures.take("42") == "c7"
    assert await captures.take("42") is None
    assert not await captures.armed("42")


async def test_disarmed(redis: Redis) -> None:
    captures = CommentCaptures(ConversationStore(redis))
    await captures.arm("42", "c7", 600)
    await captures.disarm("42")
    assert not await captures.armed("42")
